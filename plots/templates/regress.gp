# regress.gp: the regression dot plots (suite/regress.c, rg_plot), after house.gp.
# Set by the caller: rb_data (a tab-separated file, one row per key metric or claim, top
# row first; columns as RG_DAT_HEADER in suite/regress.h), rb_png, rb_svg, rb_title,
# rb_rows (the number of rows), rb_xmax (half the x range, in tolerances), rb_label_chars
# and rb_values_chars (the longest row name and values text, which size the margins).
#
# Every row shares one x axis, the change from the reference in units of that row's
# tolerance, so metrics of any size and unit sit side by side: the band [-1, 1] is the
# tolerance, the reference is 0. The values themselves, with their change, are written
# to the right of the plot. A claim has no tolerance: its band is its verdict, and its
# point is at 0 (PASS, or the reference's verdict kept) or at 1.5 (changed).

set datafile separator "\t"
rows = rb_rows + 0
xmax = rb_xmax + 0
height = 150 + 30 * rows
# Margins in characters of the 11 pt house font; the row texts are set at 10 pt.
left = int(0.9 * (rb_label_chars + 0)) + 3
right = int(0.9 * (rb_values_chars + 0)) + 4
width = 520 + 8 * (left + right)
set bmargin 5.5

# Column numbers (see the header line of the data file).
c_row = 1; c_x = 10; c_out = 11; c_state = 12; c_label = 13; c_values = 14

set title rb_title noenhanced
set xlabel "(now - reference) / tolerance, clamped to +-10" noenhanced
unset ylabel
set yrange [rows + 0.6 : 0.4]
set xrange [-xmax : xmax]
set ytics scale 0 noenhanced font ',10'
set grid noytics xtics
# The legend as one line of text under the axis: gnuplot's key stacks long entries in
# one column however wide the figure is.
unset key
set label 1 "shaded: the band (a metric's tolerance; a claim's verdict)   blue dot: within   green diamond: outside, improved or changed   red triangle: REGRESSED or MISSING" \
    at screen 0.5, screen 0 center offset 0, 1 noenhanced font ',10' textcolor rgb '#202020'
set lmargin left
set rmargin right
set arrow 1 from 0, graph 0 to 0, graph 1 nohead back lc rgb '#404040' dt 2 lw 1

failing(s) = s eq "REGRESSED" || s eq "MISSING"
inside(r) = column(c_out) == 0 ? column(c_x) : NaN
bad(r) = column(c_out) == 1 && failing(strcol(c_state)) ? column(c_x) : NaN
moved(r) = column(c_out) == 1 && !failing(strcol(c_state)) ? column(c_x) : NaN

# house.gp's terminals with this figure's size instead of theirs: one row a line of text.
sized(t) = t[1:strstrt(t, "size ") - 1] . sprintf("size %d,%d", width, height) . \
	   t[strstrt(t, "size ") + 5 + strstrt(t[strstrt(t, "size ") + 5:], " ") - 1:]

do for [term in "png svg"] {
	eval "set terminal " . sized(term eq "png" ? house_png : house_svg)
	set output (term eq "png" ? rb_png : rb_svg)
	plot rb_data using (0):c_row:(1):(0.3):ytic(strcol(c_label)) with boxxyerror \
	       fc rgb '#0072B2' fs transparent solid 0.18 noborder title 'band: tolerance (claims: verdict)', \
	     '' using (inside(0)):c_row with points lc rgb '#0072B2' pt 7 ps 1.1 title 'now: within', \
	     '' using (moved(0)):c_row with points lc rgb '#009E73' pt 12 ps 1.8 lw 2 title 'now: outside, improved or changed', \
	     '' using (bad(0)):c_row with points lc rgb '#D55E00' pt 9 ps 2.0 title 'now: REGRESSED or MISSING', \
	     '' using (xmax):c_row:(strcol(c_values)) with labels left offset 1.5,0 font ',10' noenhanced notitle
}
