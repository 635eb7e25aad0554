/*
 * envinfo: the machine and build description recorded beside every number. Each field
 * is read once per call and never cached, so that a changed OMP_NUM_THREADS or
 * openblas_set_num_threads() shows up in the next capture.
 */
#include "suite/envinfo.h"

#include <ctype.h>
#include <omp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <yaml.h>

#include <cblas.h>

#ifndef RB_GIT_REV
#define RB_GIT_REV "unknown"
#endif

/* The variables that change how many threads run and where: a result is not comparable
 * without them (DESIGN.md, "Runs and results"). */
static const char *const env_thread_vars[] = {
	"OMP_NUM_THREADS", "OMP_PROC_BIND", "OMP_PLACES", "OPENBLAS_NUM_THREADS", NULL,
};

/* Read a short text file (sysfs, procfs) into buf, NUL-terminated; -1 when unreadable. */
static int env_read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* sysfs cache sizes read "32768K" or "2M". */
static long long env_parse_size(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v < 0)
		return 0;
	if (*end == 'K')
		return v << 10;
	if (*end == 'M')
		return v << 20;
	if (*end == 'G')
		return v << 30;
	return v;
}

/* The L3 instance of `cpu` at cache index `idx`, counted only from the lowest-numbered
 * CPU that shares it so that each instance is added once. 0 when not an L3 or not the
 * counting CPU; -1 when the index does not exist. */
static long long env_l3_share(long cpu, int idx)
{
	char dir[128], path[192], buf[256];
	snprintf(dir, sizeof(dir), "/sys/devices/system/cpu/cpu%ld/cache/index%d", cpu, idx);
	snprintf(path, sizeof(path), "%s/level", dir);
	if (env_read_small(path, buf, sizeof(buf)) != 0)
		return -1;
	if (atoi(buf) != 3)
		return 0;
	snprintf(path, sizeof(path), "%s/shared_cpu_list", dir);
	if (env_read_small(path, buf, sizeof(buf)) != 0 || strtol(buf, NULL, 10) != cpu)
		return 0;
	snprintf(path, sizeof(path), "%s/size", dir);
	if (env_read_small(path, buf, sizeof(buf)) != 0)
		return 0;
	return env_parse_size(buf);
}

long long env_llc_bytes(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	long long total = 0;
	for (long cpu = 0; cpu < ncpu; cpu++) {
		for (int idx = 0; idx < 16; idx++) {
			long long share = env_l3_share(cpu, idx);
			if (share < 0)
				break;
			total += share;
		}
	}
	if (total > 0)
		return total;
	long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
	return l3 > 0 ? l3 : 0;
}

const char *env_compiler_name(void)
{
	/* clang also defines __GNUC__, so it is asked first. */
#if defined(__clang__)
	return "clang";
#elif defined(__GNUC__)
	return "gcc";
#else
	return "unknown";
#endif
}

/* The text after "key<spaces>:" on a /proc/cpuinfo line, trimmed; NULL when the line is
 * about another key. */
static char *env_cpuinfo_value(char *line, const char *key)
{
	size_t klen = strlen(key);
	if (strncmp(line, key, klen) != 0)
		return NULL;
	char *p = line + klen;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != ':')
		return NULL;
	p++;
	while (isspace((unsigned char)*p))
		p++;
	size_t n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		p[--n] = '\0';
	return n > 0 ? p : NULL;
}

char *env_cpu_model_from(const char *cpuinfo_path)
{
	FILE *f = fopen(cpuinfo_path, "r");
	if (!f)
		return strdup("unknown");
	char *line = NULL, *model = NULL;
	size_t cap = 0;
	while (!model && getline(&line, &cap, f) > 0) {
		char *value = env_cpuinfo_value(line, "model name");
		if (value)
			model = strdup(value);
	}
	free(line);
	fclose(f);
	return model ? model : strdup("unknown");
}

char *env_cpu_model(void)
{
	return env_cpu_model_from("/proc/cpuinfo");
}

static json_t *env_os(void)
{
	struct utsname u;
	if (uname(&u) != 0)
		return json_pack("{s:s, s:s, s:s}", "sysname", "unknown", "release", "unknown",
				 "machine", "unknown");
	return json_pack("{s:s, s:s, s:s}", "sysname", u.sysname, "release", u.release,
			 "machine", u.machine);
}

static json_t *env_thread_settings(void)
{
	json_t *vars = json_object();
	for (int i = 0; vars && env_thread_vars[i]; i++) {
		const char *value = getenv(env_thread_vars[i]);
		if (value)
			json_object_set_new(vars, env_thread_vars[i], json_string(value));
	}
	return vars;
}

static json_t *env_libraries(void)
{
	return json_pack("{s:s, s:s, s:s}", "sqlite3", sqlite3_libversion(),
			 "libyaml", yaml_get_version_string(), "jansson", JANSSON_VERSION);
}

static json_t *env_machine(void)
{
	char host[256] = "unknown";
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "unknown");
	host[sizeof(host) - 1] = '\0';
	char *model = env_cpu_model();
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
	json_t *m = json_pack("{s:s, s:o, s:s?, s:I, s:I, s:I}",
			      "hostname", host,
			      "os", env_os(),
			      "cpu_model", model,
			      "logical_cpus", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN),
			      "memory_bytes", (json_int_t)pages * page_size,
			      "llc_bytes", (json_int_t)env_llc_bytes());
	free(model);
	return m;
}

static json_t *env_build(void)
{
	json_t *b = json_pack("{s:{s:s, s:s}, s:s, s:s, s:i, s:i, s:o, s:o}",
			      "compiler", "name", env_compiler_name(), "version", __VERSION__,
			      "git_rev", RB_GIT_REV,
			      "openblas_config", openblas_get_config(),
			      "openblas_threads", openblas_get_num_threads(),
			      "omp_max_threads", omp_get_max_threads(),
			      "env_vars", env_thread_settings(),
			      "libraries", env_libraries());
#ifdef RB_CFLAGS
	if (b)
		json_object_set_new(b, "build_flags", json_string(RB_CFLAGS));
#endif
	return b;
}

json_t *env_capture(void)
{
	json_t *env = env_machine();
	json_t *build = env_build();
	if (!env || !build || json_object_update(env, build) != 0) {
		json_decref(env);
		json_decref(build);
		return NULL;
	}
	json_decref(build);
	return env;
}
