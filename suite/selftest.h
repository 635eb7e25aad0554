/*
 * selftest: a harness-only algorithm whose behaviour is chosen by a parameter (finish,
 * produce NaN, crash, hang, fail its verifier, take a while). The end-to-end tests use
 * it to check that every outcome is recorded with its status and never dropped.
 */
#ifndef SELFTEST_H
#define SELFTEST_H

#include "suite/registry.h"

extern const struct rb_algorithm selftest_algorithm;

#endif
