/*
 * suites.h — every CUnit suite of the core, one line each (an X-macro), so
 * adding a module's tests is one line here and one file test_<module>.c.
 */
#ifndef MCC_TEST_SUITES_H
#define MCC_TEST_SUITES_H

#define MCC_TEST_SUITES(X) \
  X(identity)              \
  X(cert)                  \
  X(verify)                \
  X(conf)                  \
  X(tunnel_conf)           \
  X(wire)                  \
  X(replay)                \
  X(route)                 \
  X(rooting)               \
  X(converge)              \
  X(hostile)               \
  X(tunnel)                \
  X(lookup)                \
  X(node)                  \
  X(update_window)         \
  X(record_store)          \
  X(topology)              \
  X(session)               \
  X(noise)                 \
  X(packet)                \
  X(resolve)               \
  X(sim_pcap)               \
  X(sim_topology)           \
  X(sim_engine)             \
  X(sim_partition)          \
  X(sim_timer_heap)         \
  X(sim_ranks)              \
  X(sim_scenario)           \
  X(sim_link_models)        \
  X(sim_measure)            \
  X(real_dns)               \
  X(real_dns_tcp)           \
  X(real_dns_conns)         \
  X(real_keyfile)           \
  X(real_tunnel)            \
  X(real_config)            \
  X(real_dnsmasq)           \
  X(real_control)           \
  X(real_sockets)           \
  X(real_log)              \
  X(real_nss)

#define MCC_DECLARE_SUITE(name) void suite_##name(void);
MCC_TEST_SUITES(MCC_DECLARE_SUITE)

#endif
