# trend.gp: one key metric by commit (suite/trend.c), after house.gp.
# Set by the caller: rb_data (tab-separated, a row per point, oldest first: x, source
# "reference" or "store", revision, date, machine, machine_index, value), rb_png, rb_svg,
# rb_title, rb_ylabel, rb_points (how many), rb_xtics (gnuplot's tic list: "label" x, ...),
# rb_band ("1" when the current reference has the metric), rb_lo, rb_hi, rb_ref (its value
# and tolerance band, which `regress` checks against).
#
# A point's shape says where it comes from (a committed reference file, or a results
# store), its colour and the name above it which machine produced it.

set datafile separator "\t"
n = rb_points + 0
set title rb_title . "\nreference files from git, then results stores; above each point, the machine" noenhanced
set ylabel rb_ylabel noenhanced
set xrange [0.5 : n + 0.5]
eval "set xtics (" . rb_xtics . ") rotate by -30 noenhanced font ',9'"
set grid noxtics ytics
set offsets 0, 0, graph 0.12, graph 0.08

if (rb_band eq "1") {
	set object 1 rect from graph 0, first (rb_lo + 0) to graph 1, first (rb_hi + 0) behind \
	    fc rgb '#0072B2' fs transparent solid 0.15 noborder
	set arrow 1 from graph 0, first (rb_ref + 0) to graph 1, first (rb_ref + 0) nohead back \
	    lc rgb '#0072B2' dt 2 lw 1
}

from(s) = strcol(2) eq s ? column(7) : NaN

do for [term in "png svg"] {
	eval "set terminal " . (term eq "png" ? house_png : house_svg)
	set output (term eq "png" ? rb_png : rb_svg)
	plot rb_data using 1:7 with lines lc rgb '#a0a0a0' lw 1 notitle, \
	     '' using 1:(from("reference")):6 with points pt 7 ps 1.4 lc variable title 'reference file at the commit', \
	     '' using 1:(from("store")):6 with points pt 5 ps 1.4 lc variable title 'results store', \
	     '' using 1:7:(strcol(5)) with labels offset 0, 1.1 font ',9' noenhanced notitle, \
	     keyentry with boxes fc rgb '#0072B2' fs transparent solid 0.15 noborder title 'tolerance band of the current reference'
}
