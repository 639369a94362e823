// The peer message codec (messages.h).
//
// Encoding. A message is one packed Cap'n Proto message (capnp::writePackedMessage: the
// segment table, then the words with their zero bytes run-length packed) whose root is
// schema/messages.capnp's Envelope. Header fields are fixed-width integers (version UInt32,
// configEpoch, hlc, ackEpoch, ackSeq UInt64); cluster and from are Text; the body is a union
// with one member per Body alternative (heartbeat is Void). Keys are Data (binary-safe).
// Lists keep the order of the structs' vectors.
//
// States are embedded as Data holding lattice::EncodeObject's bytes (a removal's context:
// lattice::EncodeContext's), rather than by importing the lattice schema: the lattice
// codec's builders and its invariant-checking reader are private to lattice/codec.cc and
// stay the one place that validates a state; the message schema evolves apart from the
// storage schema; and the bytes are the canonical ones storage keeps and anti-entropy
// hashes, so a hand-off can one day forward them without re-encoding. The price: one copy
// per state on each side, and packing already-packed bytes (about one tag byte per 8 bytes).
//
// Canonical: the builder is filled in one fixed order, with a first segment sized from the
// content, so equal envelopes (holding equal, canonically encoded states) encode to equal
// bytes.
//
// Decoding, in order: the input's size and the size it unpacks to, found by walking the
// packing tags, against max_message_bytes (ResourceExhausted; zero runs pack 1024 to 1, so
// the unpacked size must be bounded too); the framing, read with a traversal limit of the
// unpacked size (each pointer is followed once) and a nesting limit of 8, and no trailing
// bytes (Corruption); the version, then the body kind (Corruption); each list's length
// against max_keys before any entry, then entry by entry the key's length against
// max_key_bytes (ResourceExhausted) and the state through the lattice decoder (Corruption,
// naming the entry). Cap'n Proto reports bad input by throwing kj::Exception; it is caught
// here and never leaves this file.
#include "gossip/messages.h"

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <kj/io.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "gossip/schema/messages.capnp.h"
#include "lattice/codec.h"

namespace starling::gossip {
namespace {

namespace s = schema;

// ---------------------------------------------------------------------------------------
// Encoding.

class StringOutput final : public kj::OutputStream {
 public:
  explicit StringOutput(std::string* out) : out_(out) {}
  void write(const void* buffer, size_t size) override {
    out_->append(static_cast<const char*>(buffer), size);
  }

 private:
  std::string* out_;
};

capnp::Data::Reader Bytes(std::string_view s) {
  return capnp::Data::Reader(reinterpret_cast<const kj::byte*>(s.data()), s.size());
}

size_t Words(size_t bytes) { return (bytes + 7) / 8; }

// The lattice encodings of a body's states, made before the builder so that the first
// segment can be sized to hold the whole message.
struct EncodedStates {
  std::vector<std::string> blobs;
  size_t words = 0;

  void Add(std::string blob, std::string_view key) {
    words += Words(blob.size()) + Words(key.size()) + 4;  // 2 pointers, 2 list headers
    blobs.push_back(std::move(blob));
  }
  void AddStates(const std::vector<KeyState>& states) {
    blobs.reserve(states.size());
    for (const KeyState& ks : states) {
      Add(lattice::EncodeObject(ks.state), ks.key);
    }
  }
};

EncodedStates Encode(const Body& body) {
  EncodedStates enc;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, DeltaBatch>) {
          enc.AddStates(b.deltas);
        } else if constexpr (std::is_same_v<T, FetchReply> || std::is_same_v<T, StatePush>) {
          enc.AddStates(b.states);
        } else if constexpr (std::is_same_v<T, FetchRequest>) {
          for (const std::string& k : b.keys) {
            enc.words += Words(k.size()) + 1;
          }
        } else if constexpr (std::is_same_v<T, AntiEntropy>) {
          enc.AddStates(b.states);
          enc.words += Words(b.symbols.size()) + b.key_hashes.size() + 8;
        } else if constexpr (std::is_same_v<T, StableAnnouncement>) {
          for (const StableRemoval& r : b.removals) {
            std::string ctx;
            lattice::EncodeContext(r.ctx, &ctx);
            enc.Add(std::move(ctx), r.key);
          }
        }
      },
      body);
  return enc;
}

void SetKeyStates(capnp::List<s::KeyState>::Builder list, const std::vector<KeyState>& states,
                  const EncodedStates& enc) {
  for (size_t i = 0; i < states.size(); ++i) {
    list[static_cast<unsigned>(i)].setKey(Bytes(states[i].key));
    list[static_cast<unsigned>(i)].setState(Bytes(enc.blobs[i]));
  }
}

void SetBody(s::Envelope::Body::Builder b, const Body& body, const EncodedStates& enc) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, DeltaBatch>) {
          auto d = b.initDeltaBatch();
          d.setEpoch(x.epoch);
          d.setSeq(x.seq);
          d.setBaseSeq(x.base_seq);
          SetKeyStates(d.initDeltas(static_cast<unsigned>(x.deltas.size())), x.deltas, enc);
        } else if constexpr (std::is_same_v<T, ResendRequest>) {
          auto r = b.initResendRequest();
          r.setEpoch(x.epoch);
          r.setAfterSeq(x.after_seq);
        } else if constexpr (std::is_same_v<T, Heartbeat>) {
          b.setHeartbeat();
        } else if constexpr (std::is_same_v<T, FetchRequest>) {
          auto f = b.initFetchRequest();
          f.setId(x.id);
          auto keys = f.initKeys(static_cast<unsigned>(x.keys.size()));
          for (size_t i = 0; i < x.keys.size(); ++i) {
            keys.set(static_cast<unsigned>(i), Bytes(x.keys[i]));
          }
        } else if constexpr (std::is_same_v<T, FetchReply>) {
          auto f = b.initFetchReply();
          f.setId(x.id);
          SetKeyStates(f.initStates(static_cast<unsigned>(x.states.size())), x.states, enc);
        } else if constexpr (std::is_same_v<T, StatePush>) {
          auto p = b.initStatePush();
          SetKeyStates(p.initStates(static_cast<unsigned>(x.states.size())), x.states, enc);
        } else if constexpr (std::is_same_v<T, AntiEntropy>) {
          auto a = b.initAntiEntropy();
          a.setKind(x.kind);
          a.setRound(x.round);
          a.setIndex(x.index);
          a.setFallback(x.fallback);
          a.setSymbols(Bytes(x.symbols));
          auto hashes = a.initKeyHashes(static_cast<unsigned>(x.key_hashes.size()));
          for (size_t i = 0; i < x.key_hashes.size(); ++i) {
            hashes.set(static_cast<unsigned>(i), x.key_hashes[i]);
          }
          SetKeyStates(a.initStates(static_cast<unsigned>(x.states.size())), x.states, enc);
        } else {
          static_assert(std::is_same_v<T, StableAnnouncement>);
          auto list =
              b.initStableAnnouncement().initRemovals(static_cast<unsigned>(x.removals.size()));
          for (size_t i = 0; i < x.removals.size(); ++i) {
            list[static_cast<unsigned>(i)].setKey(Bytes(x.removals[i].key));
            list[static_cast<unsigned>(i)].setCtx(Bytes(enc.blobs[i]));
          }
        }
      },
      body);
}

// ---------------------------------------------------------------------------------------
// Decoding.

std::string Str(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}
std::string_view View(capnp::Data::Reader d) {
  return std::string_view(reinterpret_cast<const char*>(d.begin()), d.size());
}

// The number of words packed bytes unpack to (an upper bound if they are truncated), found
// by walking the tags without unpacking: tag 0x00 is followed by a count of further zero
// words, tag 0xff by 8 bytes and a count of further raw words, any other tag by one byte per
// set bit.
uint64_t UnpackedWords(std::string_view p) {
  uint64_t words = 0;
  size_t i = 0;
  while (i < p.size()) {
    auto tag = static_cast<uint8_t>(p[i++]);
    ++words;
    i += static_cast<size_t>(std::popcount(tag));
    if ((tag == 0x00 || tag == 0xff) && i < p.size()) {
      auto n = static_cast<uint8_t>(p[i++]);
      words += n;
      if (tag == 0xff) {
        i += size_t{8} * n;
      }
    }
  }
  return words;
}

capnp::ReaderOptions LimitsFor(uint64_t unpacked_words) {
  // The decoder follows every pointer once, so a real message is traversed in about as many
  // words as it unpacks to (the segment table aside). Hostile pointers that alias the same
  // data cannot make us read more than that, and the reader allocates no more than the
  // declared segment sizes it accepts, which are bounded by the same limit.
  capnp::ReaderOptions opt;
  opt.traversalLimitInWords = unpacked_words + 64;
  opt.nestingLimit = 8;  // Envelope -> body struct -> list -> entry -> Data: 5 levels
  return opt;
}

class BodyReader {
 public:
  explicit BodyReader(const DecodeLimits& limits) : limits_(limits) {}

  template <typename List>
  Status CheckCount(const List& list, const char* what) const {
    if (list.size() > limits_.max_keys) {
      return Status::ResourceExhausted(std::string(what) + ": " + std::to_string(list.size()) +
                                       " entries, over the limit of " +
                                       std::to_string(limits_.max_keys));
    }
    return Status::Ok();
  }

  Status ReadKey(capnp::Data::Reader d, const char* what, size_t i, std::string* out) const {
    if (d.size() > limits_.max_key_bytes) {
      return Status::ResourceExhausted(std::string(what) + "[" + std::to_string(i) + "]: key of " +
                                       std::to_string(d.size()) + " bytes, over the limit of " +
                                       std::to_string(limits_.max_key_bytes));
    }
    *out = Str(d);
    return Status::Ok();
  }

  Status ReadKeyStates(capnp::List<s::KeyState>::Reader list, const char* what,
                       std::vector<KeyState>* out) const {
    STARLING_RETURN_IF_ERROR(CheckCount(list, what));
    out->resize(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      auto e = list[static_cast<unsigned>(i)];
      STARLING_RETURN_IF_ERROR(ReadKey(e.getKey(), what, i, &(*out)[i].key));
      Result<lattice::Object> state = lattice::DecodeObject(View(e.getState()));
      if (!state.ok()) {
        return Wrap(state.status(), what, i);
      }
      (*out)[i].state = std::move(state).value();
    }
    return Status::Ok();
  }

  Status Read(s::Envelope::Body::Reader b, Body* out) const {
    switch (b.which()) {
      case s::Envelope::Body::DELTA_BATCH: {
        auto r = b.getDeltaBatch();
        DeltaBatch d;
        d.epoch = r.getEpoch();
        d.seq = r.getSeq();
        d.base_seq = r.getBaseSeq();
        STARLING_RETURN_IF_ERROR(ReadKeyStates(r.getDeltas(), "deltas", &d.deltas));
        *out = std::move(d);
        return Status::Ok();
      }
      case s::Envelope::Body::RESEND_REQUEST: {
        auto r = b.getResendRequest();
        *out = ResendRequest{r.getEpoch(), r.getAfterSeq()};
        return Status::Ok();
      }
      case s::Envelope::Body::HEARTBEAT:
        *out = Heartbeat{};
        return Status::Ok();
      case s::Envelope::Body::FETCH_REQUEST: {
        auto r = b.getFetchRequest();
        FetchRequest f;
        f.id = r.getId();
        auto keys = r.getKeys();
        STARLING_RETURN_IF_ERROR(CheckCount(keys, "keys"));
        f.keys.resize(keys.size());
        for (size_t i = 0; i < keys.size(); ++i) {
          STARLING_RETURN_IF_ERROR(ReadKey(keys[static_cast<unsigned>(i)], "keys", i, &f.keys[i]));
        }
        *out = std::move(f);
        return Status::Ok();
      }
      case s::Envelope::Body::FETCH_REPLY: {
        auto r = b.getFetchReply();
        FetchReply f;
        f.id = r.getId();
        STARLING_RETURN_IF_ERROR(ReadKeyStates(r.getStates(), "states", &f.states));
        *out = std::move(f);
        return Status::Ok();
      }
      case s::Envelope::Body::STATE_PUSH: {
        StatePush p;
        STARLING_RETURN_IF_ERROR(ReadKeyStates(b.getStatePush().getStates(), "states", &p.states));
        *out = std::move(p);
        return Status::Ok();
      }
      case s::Envelope::Body::STABLE_ANNOUNCEMENT:
        return ReadStable(b.getStableAnnouncement().getRemovals(), out);
      case s::Envelope::Body::ANTI_ENTROPY: {
        auto r = b.getAntiEntropy();
        AntiEntropy a;
        if (r.getKind() > AntiEntropy::kStates) {
          return Status::Corruption("antiEntropy: unknown kind " + std::to_string(r.getKind()));
        }
        a.kind = r.getKind();
        a.round = r.getRound();
        a.index = r.getIndex();
        a.fallback = r.getFallback();
        a.symbols = Str(r.getSymbols());
        if (a.symbols.size() % 27 != 0) {
          return Status::Corruption("antiEntropy: symbols not a multiple of 27 bytes");
        }
        auto hashes = r.getKeyHashes();
        STARLING_RETURN_IF_ERROR(CheckCount(hashes, "keyHashes"));
        a.key_hashes.reserve(hashes.size());
        for (uint64_t h : hashes)
          a.key_hashes.push_back(h);
        STARLING_RETURN_IF_ERROR(ReadKeyStates(r.getStates(), "states", &a.states));
        *out = std::move(a);
        return Status::Ok();
      }
    }
    return Status::Corruption("unknown body kind " + std::to_string(static_cast<int>(b.which())));
  }

 private:
  static Status Wrap(const Status& st, const char* what, size_t i) {
    return Status(st.code(), std::string(what) + "[" + std::to_string(i) + "]: " + st.message());
  }

  Status ReadStable(capnp::List<s::StableRemoval>::Reader list, Body* out) const {
    STARLING_RETURN_IF_ERROR(CheckCount(list, "removals"));
    StableAnnouncement a;
    a.removals.resize(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      auto r = list[static_cast<unsigned>(i)];
      STARLING_RETURN_IF_ERROR(ReadKey(r.getKey(), "removals", i, &a.removals[i].key));
      Result<lattice::CausalContext> ctx = lattice::DecodeContext(View(r.getCtx()));
      if (!ctx.ok()) {
        return Wrap(ctx.status(), "removals", i);
      }
      a.removals[i].ctx = std::move(ctx).value();
    }
    *out = std::move(a);
    return Status::Ok();
  }

  const DecodeLimits& limits_;
};

Status DecodeInto(std::string_view bytes, uint64_t unpacked_words, const DecodeLimits& limits,
                  Envelope* e) {
  kj::ArrayInputStream in(
      kj::ArrayPtr<const kj::byte>(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
  capnp::PackedMessageReader reader(in, LimitsFor(unpacked_words));
  // Segments after the first are read lazily; read them all before looking for trailing
  // bytes. getSegment returns a null array past the last one (at most 512).
  for (unsigned i = 1; reader.getSegment(i).begin() != nullptr; ++i) {
  }
  if (in.tryGetReadBuffer().size() != 0) {
    return Status::Corruption("trailing bytes after the message");
  }
  auto root = reader.getRoot<s::Envelope>();
  e->version = root.getVersion();
  if (e->version != Envelope::kVersion) {
    return Status::Corruption("unsupported message version " + std::to_string(e->version));
  }
  auto cluster = root.getCluster();
  e->cluster.assign(cluster.begin(), cluster.size());
  auto from = root.getFrom();
  e->from.assign(from.begin(), from.size());
  e->config_epoch = root.getConfigEpoch();
  e->hlc = root.getHlc();
  e->ack_epoch = root.getAckEpoch();
  e->ack_seq = root.getAckSeq();
  e->durable_seq = root.getDurableSeq();
  return BodyReader(limits).Read(root.getBody(), &e->body);
}

}  // namespace

std::string EncodeEnvelope(const Envelope& e) {
  EncodedStates enc = Encode(e.body);
  // Root struct, body struct and list headers, the two texts, and the entries.
  size_t words = 32 + Words(e.cluster.size() + 1) + Words(e.from.size() + 1) + enc.words;
  capnp::MallocMessageBuilder msg(static_cast<unsigned>(std::min<size_t>(words, 1u << 28)));
  auto root = msg.initRoot<s::Envelope>();
  root.setVersion(e.version);
  root.setCluster(capnp::Text::Reader(e.cluster.data(), e.cluster.size()));
  root.setFrom(capnp::Text::Reader(e.from.data(), e.from.size()));
  root.setConfigEpoch(e.config_epoch);
  root.setHlc(e.hlc);
  root.setAckEpoch(e.ack_epoch);
  root.setAckSeq(e.ack_seq);
  root.setDurableSeq(e.durable_seq);
  SetBody(root.getBody(), e.body, enc);
  std::string out;
  StringOutput stream(&out);
  capnp::writePackedMessage(stream, msg);
  return out;
}

Result<Envelope> DecodeEnvelope(std::string_view bytes, const DecodeLimits& limits) {
  // Both sizes are limited: the bytes received, and what they unpack to (runs of zero words
  // pack 1024 to 1, so a small input could otherwise make the reader allocate gigabytes).
  uint64_t words = UnpackedWords(bytes);
  size_t size = std::max<size_t>(bytes.size(), words > SIZE_MAX / 8 ? SIZE_MAX : words * 8);
  if (size > limits.max_message_bytes) {
    return Status::ResourceExhausted("message of " + std::to_string(bytes.size()) + " bytes (" +
                                     std::to_string(words * 8) + " unpacked), over the limit of " +
                                     std::to_string(limits.max_message_bytes));
  }
  Envelope e;
  Status st;
  try {
    st = DecodeInto(bytes, words, limits, &e);
  } catch (const kj::Exception& ex) {
    return Status::Corruption(std::string("malformed message: ") + ex.getDescription().cStr());
  } catch (const std::exception& ex) {
    // std::bad_alloc and the like from the lattice decoders' containers.
    return Status::Corruption(std::string("malformed message: ") + ex.what());
  }
  if (!st.ok()) {
    return st;
  }
  return e;
}

}  // namespace starling::gossip
