/* table: CSV fields as RFC 4180 has them (libcsv), numbers unquoted at full precision. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "suite/store.h"
#include "suite/table.h"
#include "tests/unit/testutil.h"

Test(table, csv_quotes_text_and_keeps_numbers_exact)
{
	char dir[512], path[700], err[512];
	tu_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	sqlite3 *db = store_open(":memory:", 0, err, sizeof(err));
	cr_assert_not_null(db, "%s", err);
	struct table_grid g;
	cr_assert_eq(table_query(db, "SELECT 'say \"hi\", twice' AS \"a,b\", 0.1 AS x, NULL AS n", &g, err,
				 sizeof(err)), 0, "%s", err);
	cr_assert_eq(table_write_csv(path, &g, err, sizeof(err)), 0, "%s", err);
	table_free(&g);
	char *text = tu_read(path);
	cr_assert_not_null(text);
	cr_expect_str_eq(text, "\"a,b\",\"x\",\"n\"\n\"say \"\"hi\"\", twice\",0.1,\n");
	free(text);
	store_close(db);
}
