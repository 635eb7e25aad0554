# house.gp: the one house style for every relaxbench figure (PNG and SVG).
# suite/plot.c loads this first, then sets the terminal with
#   eval "set terminal " . house_png     (and house_svg)
# so size, font and line width are decided here too, and both files look alike.
# It is also the marker by which the binary finds the repository root (suite/paths.h).

# Terminals. "sans-serif" resolves through fontconfig for pngcairo and is a generic
# family every SVG viewer knows. noenhanced: series names such as "sgd lr=0.5" or
# "top_k" must print as written, not as subscripts.
house_png = "pngcairo size 900,560 font 'sans-serif,11' linewidth 1 noenhanced background rgb 'white'"
house_svg = "svg size 900,560 dynamic font 'sans-serif,11' linewidth 1 noenhanced background rgb 'white'"

# Okabe & Ito (2008) colour-blind-safe palette, ordered so that the first few series
# differ most; yellow (weakest on white) comes last. Each line type also has its own
# point shape, so figures survive greyscale printing.
set linetype 1 lc rgb '#0072B2' lw 2 pt 7  ps 0.9 dt solid   # blue
set linetype 2 lc rgb '#D55E00' lw 2 pt 5  ps 0.9 dt solid   # vermillion
set linetype 3 lc rgb '#009E73' lw 2 pt 9  ps 1.0 dt solid   # bluish green
set linetype 4 lc rgb '#CC79A7' lw 2 pt 11 ps 1.0 dt solid   # reddish purple
set linetype 5 lc rgb '#E69F00' lw 2 pt 13 ps 1.0 dt solid   # orange
set linetype 6 lc rgb '#56B4E9' lw 2 pt 4  ps 0.9 dt solid   # sky blue
set linetype 7 lc rgb '#000000' lw 2 pt 6  ps 0.9 dt solid   # black
set linetype 8 lc rgb '#F0E442' lw 2 pt 8  ps 1.0 dt solid   # yellow
set linetype cycle 8

# Bands (mean +- the 95% interval over seeds) sit behind the lines: light enough that
# overlapping bands of two series stay readable.
set style fill transparent solid 0.18 noborder

# Frame: left and bottom axes only, outward tics, a faint grid behind the data.
set border 3 back lc rgb '#404040' lw 1
set tics nomirror out scale 0.6 textcolor rgb '#303030'
set style line 100 lc rgb '#e5e5e5' lw 1 dt solid
set grid back xtics ytics ls 100, ls 100
set title font ',13' textcolor rgb '#000000'
set xlabel textcolor rgb '#202020'
set ylabel textcolor rgb '#202020' offset 0.5,0

# Legend outside the data, under the x axis, sample before the name. Not above the
# plot: gnuplot puts a top-margin key above the title, which reads upside down; not at
# the right: long series names would take the width away from the data.
set key outside bottom center horizontal Left reverse samplen 3.5 spacing 1.1 width 1
set key noopaque nobox textcolor rgb '#202020'

# Log axes: plain numbers rather than gnuplot's default "1x10^-3" when noenhanced.
set format x '%g'
set format y '%g'

# Units such as "µs" are written in UTF-8.
set encoding utf8

# The caption (suite/plot.c): one line under the title naming what the line and the band
# are (the mean of n runs; min-max, a bootstrap or a t interval) and the marks used.
house_caption_font = ',10'
house_caption_colour = '#303030'
house_caption_offset = 1.0
house_caption_tmargin = 5
house_title_offset = 1.2

# Points that ran with more threads (MPI ranks x threads) than the machine has cores: a
# black ring around the series' own mark, with one legend entry.
set style line 99 lc rgb '#000000' lw 1.5 pt 6 ps 2.1
house_oversub = 99
