/*
 * session.c — end-to-end sessions: the Noise KK handshake (noise.c) over
 * the routed path, transport keys, replay windows, key rotation, and the
 * user packets they carry.
 *
 * Timers of a session:
 *   handshake retry   an unanswered INIT is sent again after 5 s, at most
 *                     4 times; then the packets held for it are dropped.
 *   rekey             the initiator starts a new handshake when its keys are
 *                     2 minutes old (or 2^30 messages); both keep the old
 *                     keys for receiving until the next rotation.
 *   reject            keys older than 3 minutes (or 2^31 messages) are
 *                     never used; a packet then waits for a new handshake.
 *   expire            a session idle for 9 minutes forgets its keys.
 *   reply             DATA arrived and we sent nothing back within
 *                     SESSION_KEEPALIVE_NS: an empty DATA tells the sender
 *                     its packets arrive.
 *   silence           we sent DATA and nothing came back within
 *                     SESSION_SILENT_NS plus two round trips (as our last
 *                     handshake measured them): the peer lost our keys
 *                     (it restarted), so the next packet starts a
 *                     handshake.
 * Untrusted sources are refused on the certificate in the INIT's clear
 * text, by comparing keys, before any signature check or DH; then a
 * replayed INIT (its ephemeral key seen) and INITs over the node's budget
 * are dropped (guard.c), still before any public-key operation.
 */
#include <sodium.h>
#include <stdlib.h>

#include "cert.h"
#include "noise.h"
#include "node.h"
#include "packet.h"

static const char session_context[] = "mcc-session-v1";

static uint32_t peer_hash(const mcc_id *id) {
  uint32_t h;
  memcpy(&h, id->key, sizeof h);
  return h;
}

static uint32_t session_hash_at(const void *items, uint32_t slot) {
  return peer_hash(&((const session *)items)[slot].peer);
}

static session *session_find(mcc_node *node, const mcc_id *peer) {
  for (uint32_t s = index_first(&node->session_index, peer_hash(peer));
       s != INDEX_NIL; s = index_next(&node->session_index, s))
    if (node->sessions[s].in_use &&
        memcmp(node->sessions[s].peer.key, peer->key, 32) == 0)
      return &node->sessions[s];
  return NULL;
}

static session *session_new(mcc_node *node, const mcc_id *peer,
                            uint64_t now) {
  uint32_t slot;
  if (node->free_session != INDEX_NIL) {
    slot = node->free_session;
    node->free_session = node->sessions[slot].cur.local_index; /* next */
  } else {
    if (node->nsessions > SESSION_SLOT_MASK) return NULL;
    if (node->nsessions == node->capsessions) {
      uint32_t cap = node->capsessions ? node->capsessions * 2 : 2;
      session *n = realloc(node->sessions, (size_t)cap * sizeof *n);
      if (!n) return NULL;
      node->sessions = n;
      node->capsessions = cap;
    }
    if (index_reserve(&node->session_index, node->capsessions,
                      node->nsessions, session_hash_at, node->sessions) != 0)
      return NULL;
    slot = node->nsessions++;
  }
  session *s = &node->sessions[slot];
  memset(s, 0, sizeof *s);
  s->peer = *peer;
  s->in_use = 1;
  s->reply_due_ns = NEVER;
  index_insert(&node->session_index, slot, peer_hash(peer));
  if (node->session_sweep_at_ns == NEVER)
    node->session_sweep_at_ns = now + SESSION_SWEEP_NS;
  return s;
}

static void drop_pending(session *s) {
  for (uint8_t i = 0; i < s->npending; i++) free(s->pending[i]);
  s->npending = 0;
}

static void session_release(mcc_node *node, session *s) {
  uint32_t slot = (uint32_t)(s - node->sessions);
  index_remove(&node->session_index, slot, peer_hash(&s->peer));
  drop_pending(s);
  if (s->hs) {
    sodium_memzero(s->hs, sizeof *s->hs);
    free(s->hs);
  }
  sodium_memzero(s, sizeof *s);
  s->cur.local_index = node->free_session; /* free list link */
  node->free_session = slot;
}

void session_forget(mcc_node *node, const mcc_id *peer) {
  session *s = session_find(node, peer);
  if (s) session_release(node, s);
}

/* Our index for a new key pair: the slot, and random bits above it so
 * that an old index is unlikely to match a new session in the same slot. */
/* An index for new keys of session s: its slot in the low bits, random
 * above, and none the session holds now. With 12 random bits a repeat of
 * the current or previous keys' index is one in 2,048 handshakes: DATA
 * for the keys kept would then be opened with the new ones and fail. */
static uint32_t new_index(mcc_node *node, const session *s) {
  uint32_t idx;
  do {
    uint32_t r;
    node->cb.random(node->cb.user_data, (uint8_t *)&r, sizeof r);
    idx = (r << SESSION_SLOT_BITS) | (uint32_t)(s - node->sessions);
    if (!idx) idx = 1u << SESSION_SLOT_BITS; /* 0 means none */
  } while (idx == s->cur.local_index || idx == s->prev.local_index ||
           (s->hs && idx == s->hs_index));
  return idx;
}

static uint64_t unix_ms(const mcc_node *node, uint64_t now) {
  return (uint64_t)node->unix_at_zero_s * 1000 + now / 1000000;
}

/* For sending: receiving accepts keys until SESSION_REJECT_AFTER_NS. */
static int keys_usable(const session_keys *k, uint64_t now) {
  return k->remote_index &&
         now - k->born_ns < SESSION_REJECT_AFTER_NS - SESSION_SEND_MARGIN_NS &&
         k->send_counter < SESSION_REJECT_AFTER_MESSAGES;
}

/* ---- sending ------------------------------------------------------------- */

/* iplen 0: an empty DATA, the session keep-alive. */
static int seal_and_send(mcc_node *node, session *s, const uint8_t *ip,
                         size_t iplen, uint64_t now) {
  uint8_t compact[PACKET_MAX_COMPACT];
  size_t clen = 0;
  if (iplen) {
    int rv = packet_compact(ip, iplen, node->compression, compact, &clen);
    if (rv != 0) return rv;
  }
  uint8_t out[WIRE_DATA_OVERHEAD + PACKET_MAX_COMPACT];
  session_keys *k = &s->cur;
  uint32_t counter = k->send_counter++;
  const mcc_keypair *keys;
  const mcc_cert *cert;
  const mcc_id *route_to;
  tunnel_session_side(node, &s->peer, &keys, &cert, &route_to);
  out[0] = wire_header(WIRE_DATA);
  out[1] = (uint8_t)node->hop_limit;
  memcpy(out + 2, route_to->key, WIRE_DST_PREFIX_LEN);
  put_be32(out + 10, k->remote_index);
  put_be32(out + 14, counter);
  uint8_t aad[WIRE_DATA_HEADER_LEN - 1], nonce[12] = {0};
  aad[0] = out[0];
  memcpy(aad + 1, out + 2, WIRE_DATA_HEADER_LEN - 2); /* not the TTL */
  put_be32(nonce + 8, counter);
  unsigned long long n = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out + WIRE_DATA_HEADER_LEN, &n,
                                            compact, clen, aad, sizeof aad,
                                            NULL, nonce, k->send);
  s->last_used_ns = now;
  s->reply_due_ns = NEVER; /* this answers whatever arrived */
  if (iplen) {
    if (!s->unanswered_since_ns) s->unanswered_since_ns = now;
    node->stats.packets_sent++;
  } else {
    node->stats.session_keepalives_sent++;
  }
  return forward_send(node, route_to->key, WIRE_DST_PREFIX_LEN, out,
                      WIRE_DATA_HEADER_LEN + (size_t)n);
}

static int send_init(mcc_node *node, session *s, uint64_t now) {
  noise_state *hs = s->hs;
  uint8_t out[WIRE_INIT_LEN], payload[WIRE_INIT_PAYLOAD_LEN], e_sec[32];
  const mcc_keypair *keys;
  const mcc_cert *cert;
  const mcc_id *route_to;
  tunnel_session_side(node, &s->peer, &keys, &cert, &route_to);
  out[0] = wire_header(WIRE_SESSION_INIT);
  out[1] = (uint8_t)node->hop_limit;
  memcpy(out + 2, route_to->key, 32);
  memcpy(out + 34, keys->pub.key, 32);
  mcc_cert_encode(cert, out + WIRE_INIT_CERT_OFF);
  uint8_t prologue[sizeof session_context - 1 + MCC_CERT_LEN];
  memcpy(prologue, session_context, sizeof session_context - 1);
  memcpy(prologue + sizeof session_context - 1, out + WIRE_INIT_CERT_OFF,
         MCC_CERT_LEN);
  noise_init(hs, &keys->pub, &s->peer, prologue, sizeof prologue);
  put_be64(payload, unix_ms(node, now));
  put_be32(payload + 8, s->hs_index);
  node->cb.random(node->cb.user_data, e_sec, sizeof e_sec);
  int rv = noise_write_msg1(hs, e_sec, keys, &s->peer, payload,
                            sizeof payload, out + WIRE_INIT_E_OFF);
  sodium_memzero(e_sec, sizeof e_sec);
  if (rv != 0) return rv;
  s->attempts++;
  s->retry_at_ns = now + SESSION_HANDSHAKE_RETRY_NS;
  if (s->retry_at_ns < node->handshake_at_ns)
    node->handshake_at_ns = s->retry_at_ns;
  node->stats.handshakes_sent++;
  return forward_send(node, route_to->key, 32, out, sizeof out);
}

static int start_handshake(mcc_node *node, session *s, uint64_t now) {
  if (s->hs) return 0;
  s->hs = calloc(1, sizeof *s->hs);
  if (!s->hs) return MCC_ERR_NOMEM;
  s->attempts = 0;
  s->hs_index = new_index(node, s);
  return send_init(node, s, now);
}

static int hold(session *s, const uint8_t *ip, size_t iplen) {
  if (s->npending == SESSION_MAX_PENDING) { /* keep the newest */
    free(s->pending[0]);
    memmove(s->pending, s->pending + 1,
            (SESSION_MAX_PENDING - 1) * sizeof s->pending[0]);
    memmove(s->pending_len, s->pending_len + 1,
            (SESSION_MAX_PENDING - 1) * sizeof s->pending_len[0]);
    s->npending--;
  }
  uint8_t *copy = malloc(iplen);
  if (!copy) return MCC_ERR_NOMEM;
  memcpy(copy, ip, iplen);
  s->pending[s->npending] = copy;
  s->pending_len[s->npending++] = (uint16_t)iplen;
  return 0;
}

static void flush_pending(mcc_node *node, session *s, uint64_t now) {
  for (uint8_t i = 0; i < s->npending; i++) {
    seal_and_send(node, s, s->pending[i], s->pending_len[i], now);
    free(s->pending[i]);
  }
  s->npending = 0;
}

int session_send_packet(mcc_node *node, const mcc_id *dst,
                        const uint8_t *ip, size_t iplen, uint64_t now) {
  if (iplen > PACKET_MAX_INNER) return MCC_ERR_BAD_LENGTH;
  session *s = session_find(node, dst);
  if (!s && !(s = session_new(node, dst, now))) return MCC_ERR_NOMEM;
  s->last_used_ns = now;
  if (keys_usable(&s->cur, now)) {
    int rekey = s->cur.send_counter >= SESSION_REKEY_AFTER_MESSAGES ||
                (s->initiator && now - s->cur.born_ns >= SESSION_REKEY_AFTER_NS);
    if (!rekey && !s->hs && s->unanswered_since_ns &&
        now - s->unanswered_since_ns >= SESSION_SILENT_NS + 2 * s->rtt_ns) {
      rekey = 1; /* nothing came back: the peer lost our keys */
      s->unanswered_since_ns = now;
      node->stats.sessions_silent_rekeys++;
    }
    if (rekey) start_handshake(node, s, now);
    return seal_and_send(node, s, ip, iplen, now);
  }
  int rv = hold(s, ip, iplen);
  if (rv != 0) return rv;
  return start_handshake(node, s, now);
}

/* ---- receiving ----------------------------------------------------------- */

/* New keys become the current ones; of the two held, the one kept for
 * receiving is the one the peer sends with: the newest the peer initiated
 * when we hold one, else the current. They differ after crossing
 * handshakes (both ends sent an INIT at once, as a ping both ways does):
 * each end then holds its own keys as current and the peer's as
 * previous, and sends with its own. Keeping the current keys there would
 * drop the very keys the peer's next packet is sealed with, when its
 * rekey INIT (it believes it initiated) arrives just before that packet. */
static void install_keys(session *s, const uint8_t send[32],
                         const uint8_t recv[32], uint32_t local,
                         uint32_t remote, int ours, uint64_t now) {
  int keep_prev = s->cur.ours && s->prev.remote_index && !s->prev.ours;
  if (!keep_prev && s->cur.remote_index) s->prev = s->cur;
  s->cur.ours = (uint8_t)ours;
  memcpy(s->cur.send, send, 32);
  memcpy(s->cur.recv, recv, 32);
  s->cur.local_index = local;
  s->cur.remote_index = remote;
  s->cur.send_counter = 0;
  replay_init(&s->cur.rx);
  s->cur.born_ns = now;
}

/* The checks that cost nothing: kind (a tunnel's peer endpoint presents
 * a tunnel-endpoint certificate, any other peer a node certificate),
 * subject, validity, policy. Node-to-node sessions only where allowed. */
static int check_peer_policy(mcc_node *node, const mcc_cert *cert,
                             const mcc_id *peer) {
  int tunnel = tunnel_find(node, peer) != NULL;
  if (!tunnel && node->tunnels_only) return MCC_ERR_UNTRUSTED;
  if (cert->kind != (tunnel ? MCC_CERT_TUNNEL : MCC_CERT_NODE) ||
      memcmp(cert->subject.key, peer->key, 32) != 0)
    return MCC_ERR_UNTRUSTED;
  uint64_t unix_s = node_unix_s(node);
  if (unix_s < cert->not_before) return MCC_ERR_CERT_NOT_YET_VALID;
  if (unix_s > cert->not_after) return MCC_ERR_CERT_EXPIRED;
  if (!trust_allows(&node->trust, cert)) return MCC_ERR_UNTRUSTED;
  return 0;
}

/* Cheap before costly: policy by comparing keys, then the signature. */
static int check_peer_cert(mcc_node *node, const mcc_cert *cert,
                           const mcc_id *peer) {
  int rv = check_peer_policy(node, cert, peer);
  return rv != 0 ? rv : node_check_cert(node, cert);
}

int session_on_init(mcc_node *node, const uint8_t *data, size_t datalen,
                    uint64_t now) {
  if (datalen != WIRE_INIT_LEN)
    return datalen < WIRE_INIT_LEN ? MCC_ERR_TRUNCATED : MCC_ERR_BAD_LENGTH;
  mcc_id src;
  memcpy(src.key, data + 34, 32);
  mcc_cert cert;
  int rv = mcc_cert_decode(&cert, data + WIRE_INIT_CERT_OFF, MCC_CERT_LEN);
  if (rv == 0) rv = check_peer_policy(node, &cert, &src);
  if (rv != 0) {
    node->stats.sessions_refused++;
    return rv;
  }
  if (guard_init_replayed(node, data + WIRE_INIT_E_OFF, now))
    return MCC_ERR_REPLAY;
  if (!guard_budget_take(node, GUARD_INITS, now)) return MCC_ERR_BUSY;
  node->stats.handshakes_verified++;
  rv = node_check_cert(node, &cert);
  if (rv != 0) return rv;
  const mcc_keypair *keys;
  const mcc_cert *own_cert;
  const mcc_id *route_to;
  tunnel_session_side(node, &src, &keys, &own_cert, &route_to);
  noise_state st;
  uint8_t prologue[sizeof session_context - 1 + MCC_CERT_LEN];
  memcpy(prologue, session_context, sizeof session_context - 1);
  memcpy(prologue + sizeof session_context - 1, data + WIRE_INIT_CERT_OFF,
         MCC_CERT_LEN);
  noise_init(&st, &src, &keys->pub, prologue, sizeof prologue);
  uint8_t payload[WIRE_INIT_PAYLOAD_LEN];
  rv = noise_read_msg1(&st, keys, &src, data + WIRE_INIT_E_OFF,
                       32 + WIRE_INIT_PAYLOAD_LEN + WIRE_TAG_LEN, payload);
  if (rv != 0) goto out;
  uint64_t ts = get_be64(payload), now_ms = unix_ms(node, now);
  uint32_t their_index = get_be32(payload + 8);
  session *s = session_find(node, &src);
  if (ts + HELLO_MAX_CLOCK_SKEW_MS < now_ms ||
      ts > now_ms + HELLO_MAX_CLOCK_SKEW_MS ||
      (s && ts <= s->last_init_ts_ms) || their_index == 0) {
    rv = MCC_ERR_REPLAY;
    goto out;
  }
  if (!s && !(s = session_new(node, &src, now))) {
    rv = MCC_ERR_NOMEM;
    goto out;
  }
  uint8_t out[WIRE_RESP_LEN], resp[WIRE_RESP_PAYLOAD_LEN], e_sec[32];
  uint32_t our_index = new_index(node, s);
  put_be32(resp, our_index);
  mcc_cert_encode(own_cert, resp + 4);
  out[0] = wire_header(WIRE_SESSION_RESP);
  out[1] = (uint8_t)node->hop_limit;
  memcpy(out + 2, route_to->key, 32);
  memcpy(out + 34, keys->pub.key, 32);
  node->cb.random(node->cb.user_data, e_sec, sizeof e_sec);
  rv = noise_write_msg2(&st, e_sec, &src, resp, sizeof resp,
                        out + WIRE_RESP_E_OFF);
  sodium_memzero(e_sec, sizeof e_sec);
  if (rv != 0) goto out;
  uint8_t i2r[32], r2i[32];
  noise_split(&st, i2r, r2i);
  install_keys(s, r2i, i2r, our_index, their_index, 0, now);
  sodium_memzero(i2r, sizeof i2r);
  sodium_memzero(r2i, sizeof r2i);
  s->initiator = 0;
  s->last_init_ts_ms = ts;
  s->last_used_ns = now;
  node->stats.sessions_accepted++;
  forward_send(node, route_to->key, 32, out, sizeof out);
  flush_pending(node, s, now);
out:
  sodium_memzero(&st, sizeof st);
  return rv;
}

int session_on_resp(mcc_node *node, const uint8_t *data, size_t datalen,
                    uint64_t now) {
  if (datalen != WIRE_RESP_LEN)
    return datalen < WIRE_RESP_LEN ? MCC_ERR_TRUNCATED : MCC_ERR_BAD_LENGTH;
  mcc_id src;
  memcpy(src.key, data + 34, 32);
  session *s = session_find(node, &src);
  if (!s || !s->hs) return MCC_ERR_STATE;
  noise_state st = *s->hs; /* a forged answer must not spoil ours */
  uint8_t payload[WIRE_RESP_PAYLOAD_LEN];
  const mcc_keypair *keys;
  const mcc_cert *own_cert;
  const mcc_id *route_to;
  tunnel_session_side(node, &src, &keys, &own_cert, &route_to);
  int rv = noise_read_msg2(&st, keys, data + WIRE_RESP_E_OFF,
                           32 + WIRE_RESP_PAYLOAD_LEN + WIRE_TAG_LEN, payload);
  mcc_cert cert;
  if (rv == 0) rv = mcc_cert_decode(&cert, payload + 4, MCC_CERT_LEN);
  if (rv == 0) rv = check_peer_cert(node, &cert, &src);
  uint32_t their_index = get_be32(payload);
  if (rv == 0 && their_index == 0) rv = MCC_ERR_VALUE;
  if (rv != 0) {
    sodium_memzero(&st, sizeof st);
    if (rv == MCC_ERR_UNTRUSTED) node->stats.sessions_refused++;
    return rv;
  }
  uint8_t i2r[32], r2i[32];
  noise_split(&st, i2r, r2i);
  install_keys(s, i2r, r2i, s->hs_index, their_index, 1, now);
  sodium_memzero(i2r, sizeof i2r);
  sodium_memzero(r2i, sizeof r2i);
  sodium_memzero(&st, sizeof st);
  sodium_memzero(s->hs, sizeof *s->hs);
  free(s->hs);
  s->hs = NULL;
  s->initiator = 1;
  s->last_used_ns = now;
  s->rtt_ns = now - (s->retry_at_ns - SESSION_HANDSHAKE_RETRY_NS);
  node->stats.sessions_established++;
  flush_pending(node, s, now);
  return 0;
}

int session_on_data(mcc_node *node, const uint8_t *data, size_t datalen,
                    uint64_t now) {
  if (datalen < WIRE_DATA_OVERHEAD) return MCC_ERR_TRUNCATED;
  uint32_t index = get_be32(data + 10), counter = get_be32(data + 14);
  uint32_t slot = index & SESSION_SLOT_MASK;
  if (slot >= node->nsessions || !node->sessions[slot].in_use)
    return MCC_ERR_NO_LINK;
  session *s = &node->sessions[slot];
  session_keys *k = s->cur.local_index == index   ? &s->cur
                    : s->prev.local_index == index ? &s->prev
                                                   : NULL;
  if (!k || now - k->born_ns >= SESSION_REJECT_AFTER_NS) return MCC_ERR_NO_LINK;
  if (!replay_check(&k->rx, counter)) return MCC_ERR_REPLAY;
  uint8_t aad[WIRE_DATA_HEADER_LEN - 1], nonce[12] = {0};
  aad[0] = data[0];
  memcpy(aad + 1, data + 2, WIRE_DATA_HEADER_LEN - 2);
  put_be32(nonce + 8, counter);
  uint8_t compact[WIRE_MAX_ROUTED];
  unsigned long long clen = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(
          compact, &clen, NULL, data + WIRE_DATA_HEADER_LEN,
          datalen - WIRE_DATA_HEADER_LEN, aad, sizeof aad, nonce,
          k->recv) != 0)
    return MCC_ERR_DECRYPT;
  s->unanswered_since_ns = 0; /* our packets arrive */
  if (clen == 0) { /* a session keep-alive: nothing to deliver */
    replay_accept(&k->rx, counter);
    return 0;
  }
  uint8_t src4[4], src6[16], dst4[4], dst6[16], ip[PACKET_MAX_INNER];
  size_t iplen = 0;
  int rv = node_id_to_addrs(node, &s->peer, src4, src6);
  if (rv == 0) rv = node_id_to_addrs(node, tunnel_deliver_to(node, &s->peer),
                                     dst4, dst6);
  if (rv == 0)
    rv = packet_rebuild(compact, (size_t)clen, src4, dst4, src6, dst6, ip,
                        &iplen);
  if (rv == 0) rv = tunnel_filter(node, &s->peer, ip, iplen, 0);
  if (rv != 0) return rv;
  replay_accept(&k->rx, counter);
  s->last_used_ns = now;
  if (s->reply_due_ns == NEVER) {
    s->reply_due_ns = now + SESSION_KEEPALIVE_NS;
    if (s->reply_due_ns < node->handshake_at_ns)
      node->handshake_at_ns = s->reply_due_ns;
  }
  node->stats.packets_delivered++;
  if (node->cb.deliver) node->cb.deliver(node->cb.user_data, ip, iplen);
  return 0;
}

/* ---- timers -------------------------------------------------------------- */

void session_on_timers(mcc_node *node, uint64_t now) {
  if (now < node->handshake_at_ns && now < node->session_sweep_at_ns) return;
  node->handshake_at_ns = NEVER;
  for (uint32_t slot = 0; slot < node->nsessions; slot++) {
    session *s = &node->sessions[slot];
    if (!s->in_use) continue;
    if (s->hs && now >= s->retry_at_ns) {
      if (s->attempts >= SESSION_HANDSHAKE_ATTEMPTS) {
        node->stats.packets_dropped += s->npending;
        drop_pending(s);
        sodium_memzero(s->hs, sizeof *s->hs);
        free(s->hs);
        s->hs = NULL;
      } else {
        send_init(node, s, now);
      }
    }
    if (s->hs && s->retry_at_ns < node->handshake_at_ns)
      node->handshake_at_ns = s->retry_at_ns;
    if (s->reply_due_ns <= now) {
      if (keys_usable(&s->cur, now)) seal_and_send(node, s, NULL, 0, now);
      s->reply_due_ns = NEVER;
    }
    if (s->reply_due_ns < node->handshake_at_ns)
      node->handshake_at_ns = s->reply_due_ns;
    if (!s->hs && now - s->last_used_ns >= SESSION_EXPIRE_NS)
      session_release(node, s);
  }
  if (now >= node->session_sweep_at_ns)
    node->session_sweep_at_ns = now + SESSION_SWEEP_NS;
}

uint64_t session_next_deadline(const mcc_node *node) {
  if (node->nsessions == 0) return NEVER;
  return node->handshake_at_ns < node->session_sweep_at_ns
             ? node->handshake_at_ns
             : node->session_sweep_at_ns;
}

void session_free_all(mcc_node *node) {
  for (uint32_t slot = 0; slot < node->nsessions; slot++)
    if (node->sessions[slot].in_use) session_release(node, &node->sessions[slot]);
  free(node->sessions);
  index_clear(&node->session_index);
}

size_t session_memory(const mcc_node *node) {
  size_t n = (size_t)node->capsessions * sizeof(session) +
             index_memory(&node->session_index);
  for (uint32_t slot = 0; slot < node->nsessions; slot++) {
    const session *s = &node->sessions[slot];
    if (!s->in_use) continue;
    if (s->hs) n += sizeof *s->hs;
    for (uint8_t i = 0; i < s->npending; i++) n += s->pending_len[i];
  }
  return n;
}
