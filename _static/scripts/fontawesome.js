/* Replaces pydata-sphinx-theme's icon script (1.45 MB), which draws Font Awesome icons as SVG
   "so that users can add custom icons": the theme's stylesheet draws the same icons from its
   web fonts, and the book adds none (meta/adrs/0008). */
