/*
 * version.h — the one version string `mccd --version` and `mcc --version`
 * print.
 */
#ifndef MCC_REAL_VERSION_H
#define MCC_REAL_VERSION_H

#define MCC_VERSION "0.1.0"

#endif
