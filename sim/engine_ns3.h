/*
 * engine_ns3.h — the ns-3 backend (engine_ns3.c), in mcc-sim only when it
 * was built with ns-3 (MCC_HAVE_NS3): cfg.backend = &sim_backend_ns3.
 */
#ifndef MCC_SIM_ENGINE_NS3_H
#define MCC_SIM_ENGINE_NS3_H

#include "engine_backend.h"

extern const sim_backend_ops sim_backend_ns3;

#endif
