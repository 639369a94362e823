#include "lattice/codec.h"

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <kj/io.h>

#include <cmath>

#include "lattice/schema/object.capnp.h"

namespace starling::lattice {
namespace {

namespace s = schema;

// ---------------------------------------------------------------------------------------
// Encoding.

void SetDot(s::Dot::Builder b, const Dot& d) {
  b.setReplica(d.replica);
  b.setCounter(d.counter);
}

void SetContribution(s::Contribution::Builder b, const Contribution& c) {
  b.setSeq(c.seq);
  b.setI(c.i);
  double hi = static_cast<double>(c.f);
  double lo = std::isfinite(hi) ? static_cast<double>(c.f - static_cast<long double>(hi)) : 0.0;
  b.setFHi(hi);
  b.setFLo(lo);
}

void SetRuns(capnp::List<s::Run>::Builder b, const RunMap& m) {
  for (size_t i = 0; i < m.size(); ++i) {
    SetDot(b[i].initRun(), m[i].first);
    SetContribution(b[i].initTotal(), m[i].second);
  }
}

void SetRunsStruct(s::Runs::Builder b, const CounterRuns& r) {
  SetRuns(b.initTotals(static_cast<unsigned>(r.totals.size())), r.totals);
  SetRuns(b.initBaseline(static_cast<unsigned>(r.baseline.size())), r.baseline);
}

void SetDots(capnp::List<s::Dot>::Builder b, const DotSet& d) {
  for (size_t i = 0; i < d.size(); ++i) SetDot(b[i], d.dots()[i]);
}

void SetStrEntries(capnp::List<s::StrEntry>::Builder b,
                   const DotFun<ValueEntry<std::string>>& f) {
  unsigned i = 0;
  for (const auto& [d, e] : f.entries()) {
    auto x = b[i++];
    SetDot(x.initDot(), d);
    x.setStamp(e.stamp);
    x.setValue(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(e.value.data()),
                                   e.value.size()));
    if (e.absorbed) {
      SetRuns(x.initAbsorbed(static_cast<unsigned>(e.absorbed->size())), *e.absorbed);
    }
  }
}

void SetRegister(s::Register::Builder b, const ValueDots<std::string>& v) {
  SetStrEntries(b.initEntries(static_cast<unsigned>(v.entries.size())), v.entries);
  SetDots(b.initMarks(static_cast<unsigned>(v.marks.size())), v.marks);
}

void SetScoreRegister(s::ScoreRegister::Builder b, const ValueDots<double>& v) {
  auto entries = b.initEntries(static_cast<unsigned>(v.entries.size()));
  unsigned i = 0;
  for (const auto& [d, e] : v.entries.entries()) {
    auto x = entries[i++];
    SetDot(x.initDot(), d);
    x.setStamp(e.stamp);
    x.setScore(e.value);
    if (e.absorbed) {
      SetRuns(x.initAbsorbed(static_cast<unsigned>(e.absorbed->size())), *e.absorbed);
    }
  }
  SetDots(b.initMarks(static_cast<unsigned>(v.marks.size())), v.marks);
}

capnp::Data::Reader Bytes(const std::string& str) {
  return capnp::Data::Reader(reinterpret_cast<const kj::byte*>(str.data()), str.size());
}

template <typename RunsMapT>
void SetElemRuns(capnp::List<s::ElemRuns>::Builder b, const RunsMapT& m) {
  unsigned i = 0;
  for (const auto& [k, r] : m) {
    b[i].setElem(Bytes(k.str));
    SetRunsStruct(b[i].initRuns(), r);
    ++i;
  }
}

void BuildObject(s::Object::Builder b, const Object& o, bool head_only = false) {
  const auto& ranges = o.ctx.ranges();
  auto ctx = b.initCtx(static_cast<unsigned>(ranges.size()));
  for (size_t i = 0; i < ranges.size(); ++i) {
    ctx[i].setReplica(ranges[i].replica);
    ctx[i].setLo(ranges[i].lo);
    ctx[i].setHi(ranges[i].hi);
  }
  b.setIsDelta(o.is_delta);
  const KeyStore& st = o.store;
  auto tags = b.initTags(static_cast<unsigned>(st.tags.size()));
  unsigned i = 0;
  for (const auto& [d, t] : st.tags.entries()) {
    SetDot(tags[i].initDot(), d);
    tags[i].setType(static_cast<uint8_t>(t.type));
    tags[i].setStamp(t.stamp);
    ++i;
  }
  auto exp = b.initExpiry(static_cast<unsigned>(st.ttl.expiry().size()));
  i = 0;
  for (const auto& [d, at] : st.ttl.expiry().entries()) {
    SetDot(exp[i].initDot(), d);
    exp[i].setAtMs(at);
    ++i;
  }
  SetDots(b.initPersist(static_cast<unsigned>(st.ttl.persist().size())), st.ttl.persist());
  if (st.str) {
    auto sb = b.initStr();
    SetRegister(sb.initDots(), st.str->dots);
    if (st.str->runs) SetRunsStruct(sb.initRuns(), *st.str->runs);
  }
  if (head_only) return;
  if (st.set) {
    b.setHasSet(true);
    auto set = b.initSet(static_cast<unsigned>(st.set->size()));
    i = 0;
    for (const auto& [k, dots] : st.set->map()) {
      set[i].setMember(Bytes(k.str));
      SetDots(set[i].initDots(static_cast<unsigned>(dots.size())), dots);
      ++i;
    }
  }
  if (st.hash) {
    auto hb = b.initHash();
    auto fields = hb.initFields(static_cast<unsigned>(st.hash->fields.size()));
    i = 0;
    for (const auto& [k, v] : st.hash->fields.map()) {
      fields[i].setField(Bytes(k.str));
      SetRegister(fields[i].initValue(), v);
      ++i;
    }
    SetElemRuns(hb.initRuns(static_cast<unsigned>(st.hash->runs.size())), st.hash->runs);
  }
  if (st.zset) {
    auto zb = b.initZset();
    auto members = zb.initMembers(static_cast<unsigned>(st.zset->members().size()));
    i = 0;
    for (const auto& [k, v] : st.zset->members().map()) {
      members[i].setMember(Bytes(k.str));
      SetScoreRegister(members[i].initValue(), v);
      ++i;
    }
    SetElemRuns(zb.initRuns(static_cast<unsigned>(st.zset->runs().size())), st.zset->runs());
  }
  if (st.list) {
    b.setHasList(true);
    auto list = b.initList(static_cast<unsigned>(st.list->size()));
    i = 0;
    for (auto it = st.list->elems().begin(); it != st.list->elems().end(); ++it) {
      const Position& p = it.key();
      auto pos = list[i].initPos(static_cast<unsigned>(p.size()));
      for (size_t j = 0; j < p.size(); ++j) {
        pos[j].setDigit(p[j].digit);
        SetDot(pos[j].initDot(), p[j].dot);
      }
      SetStrEntries(list[i].initValues(static_cast<unsigned>(it.value().size())), it.value());
      ++i;
    }
  }
}

void WritePacked(capnp::MallocMessageBuilder& msg, std::string* out) {
  kj::VectorOutputStream stream;
  capnp::writePackedMessage(stream, msg);
  auto bytes = stream.getArray();
  out->append(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// ---------------------------------------------------------------------------------------
// Decoding. Every helper returns false on a violated invariant; the caller turns that into
// a Corruption status naming what was wrong.

class Decoder {
 public:
  explicit Decoder(const CausalContext* ctx) : ctx_(ctx) {}
  // NOLINTNEXTLINE(readability-identifier-naming): accessor named like its field (Google style)
  const std::string& error() const { return error_; }

  bool Fail(std::string what) {
    if (error_.empty()) error_ = std::move(what);
    return false;
  }

  bool ReadDot(s::Dot::Reader r, Dot* out, bool live = true) {
    *out = Dot{r.getReplica(), r.getCounter()};
    if (out->counter > kMaxDotCounter) return Fail("dot counter above the limit");
    if (!live) return true;
    if (out->counter == 0) return Fail("dot with counter 0");
    if (ctx_ && !ctx_->Contains(*out)) return Fail("live dot outside the causal context");
    return true;
  }

  bool ReadDotSet(capnp::List<s::Dot>::Reader r, DotSet* out) {
    for (auto d : r) {
      Dot dot;
      if (!ReadDot(d, &dot)) return false;
      size_t before = out->size();
      out->Insert(dot);
      if (out->size() == before) return Fail("duplicate dot");
    }
    return true;
  }

  bool ReadContribution(s::Contribution::Reader r, Contribution* c) {
    c->seq = r.getSeq();
    c->i = r.getI();
    c->f = static_cast<long double>(r.getFHi()) + static_cast<long double>(r.getFLo());
    return true;
  }

  bool ReadRunMap(capnp::List<s::Run>::Reader r, RunMap* out) {
    for (auto x : r) {
      Dot run;
      if (!ReadDot(x.getRun(), &run, /*live=*/false)) return false;
      Contribution c;
      ReadContribution(x.getTotal(), &c);
      if (FindRun(*out, run)) return Fail("duplicate counter run");
      JoinRun(*out, run, c);
    }
    return true;
  }

  bool ReadRuns(s::Runs::Reader r, CounterRuns* out) {
    return ReadRunMap(r.getTotals(), &out->totals) && ReadRunMap(r.getBaseline(), &out->baseline);
  }

  template <typename V, typename EntryReader, typename GetValue>
  bool ReadEntries(typename capnp::List<EntryReader>::Reader r, DotFun<ValueEntry<V>>* out,
                   GetValue&& get_value) {
    for (auto e : r) {
      Dot d;
      if (!ReadDot(e.getDot(), &d)) return false;
      if (out->Find(d)) return Fail("duplicate dot in values");
      ValueEntry<V> v;
      v.stamp = e.getStamp();
      v.value = get_value(e);
      if (e.hasAbsorbed() && e.getAbsorbed().size() > 0) {
        if (!ReadRunMap(e.getAbsorbed(), &v.absorbed.Ensure())) return false;
      }
      out->Insert(d, std::move(v));
    }
    return true;
  }

  bool ReadRegister(s::Register::Reader r, ValueDots<std::string>* out) {
    return ReadEntries<std::string, s::StrEntry>(r.getEntries(), &out->entries,
                                                 [](s::StrEntry::Reader e) { return Str(e.getValue()); }) &&
           ReadDotSet(r.getMarks(), &out->marks);
  }

  bool ReadScoreRegister(s::ScoreRegister::Reader r, ValueDots<double>* out) {
    return ReadEntries<double, s::ScoreEntry>(r.getEntries(), &out->entries,
                                              [](s::ScoreEntry::Reader e) { return e.getScore(); }) &&
           ReadDotSet(r.getMarks(), &out->marks);
  }

  template <typename RunsMapT>
  bool ReadElemRuns(capnp::List<s::ElemRuns>::Reader r, RunsMapT* out) {
    for (auto x : r) {
      ElemKey k(Str(x.getElem()));
      if (out->count(k)) return Fail("duplicate element runs");
      if (!ReadRuns(x.getRuns(), &(*out)[k])) return false;
    }
    return true;
  }

  static std::string Str(capnp::Data::Reader d) {
    return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
  }

 private:
  const CausalContext* ctx_;
  std::string error_;
};

bool ReadObject(s::Object::Reader r, Object* o, std::string* error) {
  CausalContext::Ranges ranges;
  for (auto x : r.getCtx()) ranges.push_back(DotRange{x.getReplica(), x.getLo(), x.getHi()});
  if (!o->ctx.AssignFromRanges(ranges)) {
    *error = "malformed causal context range";
    return false;
  }
  o->is_delta = r.getIsDelta();
  Decoder dec(&o->ctx);
  KeyStore& st = o->store;
  bool ok = true;
  for (auto t : r.getTags()) {
    Dot d;
    ok = ok && dec.ReadDot(t.getDot(), &d);
    uint8_t type = t.getType();
    if (ok && (type < 1 || type > 5)) ok = dec.Fail("unknown type tag");
    if (ok && st.tags.Find(d)) ok = dec.Fail("duplicate tag dot");
    if (ok) st.tags.Insert(d, TypeTag{static_cast<KeyType>(type), t.getStamp()});
  }
  for (auto e : r.getExpiry()) {
    Dot d;
    ok = ok && dec.ReadDot(e.getDot(), &d);
    if (ok && st.ttl.expiry().Find(d)) ok = dec.Fail("duplicate expiry dot");
    if (ok) st.ttl.mutable_expiry().Insert(d, e.getAtMs());
  }
  ok = ok && dec.ReadDotSet(r.getPersist(), &st.ttl.mutable_persist());
  if (ok && r.hasStr()) {
    StringStore& ss = st.str.Ensure();
    ok = dec.ReadRegister(r.getStr().getDots(), &ss.dots);
    if (ok && r.getStr().hasRuns()) ok = dec.ReadRuns(r.getStr().getRuns(), &ss.runs.Ensure());
  }
  if (ok && r.getHasSet()) {
    SetStore& set = st.set.Ensure();
    for (auto m : r.getSet()) {
      ElemKey k(Decoder::Str(m.getMember()));
      if (set.Find(k)) {
        ok = dec.Fail("duplicate set member");
        break;
      }
      DotSet dots;
      if (!(ok = dec.ReadDotSet(m.getDots(), &dots))) break;
      if (dots.IsBottom() && !o->is_delta) {
        ok = dec.Fail("set member without dots");
        break;
      }
      set.At(k) = std::move(dots);
    }
  }
  if (ok && r.hasHash()) {
    HashStore& h = st.hash.Ensure();
    for (auto f : r.getHash().getFields()) {
      ElemKey k(Decoder::Str(f.getField()));
      if (h.fields.Find(k)) {
        ok = dec.Fail("duplicate hash field");
        break;
      }
      ValueDots<std::string> v;
      if (!(ok = dec.ReadRegister(f.getValue(), &v))) break;
      if (v.IsBottom() && !o->is_delta) {
        ok = dec.Fail("hash field without dots");
        break;
      }
      h.fields.At(k) = std::move(v);
    }
    ok = ok && dec.ReadElemRuns(r.getHash().getRuns(), &h.runs);
  }
  if (ok && r.hasZset()) {
    ZsetStore& z = st.zset.Ensure();
    for (auto m : r.getZset().getMembers()) {
      ElemKey k(Decoder::Str(m.getMember()));
      if (z.members().Find(k)) {
        ok = dec.Fail("duplicate sorted-set member");
        break;
      }
      ValueDots<double> v;
      if (!(ok = dec.ReadScoreRegister(m.getValue(), &v))) break;
      if (v.IsBottom() && !o->is_delta) {
        ok = dec.Fail("sorted-set member without dots");
        break;
      }
      z.mutable_members().At(k) = std::move(v);
    }
    ok = ok && dec.ReadElemRuns(r.getZset().getRuns(), &z.mutable_runs());
    if (ok) z.RebuildIndex();
  }
  if (ok && r.getHasList()) {
    ListStore& l = st.list.Ensure();
    for (auto e : r.getList()) {
      Position p;
      for (auto d : e.getPos()) {
        Dot dot;
        dec.ReadDot(d.getDot(), &dot, /*live=*/false);
        p.push_back(PosDigit{d.getDigit(), dot});
      }
      if (p.empty()) {
        ok = dec.Fail("empty list position");
        break;
      }
      if (l.elems().find(p) != l.elems().end()) {
        ok = dec.Fail("duplicate list position");
        break;
      }
      ListElem values;
      if (!(ok = dec.ReadEntries<std::string, s::StrEntry>(
                e.getValues(), &values, [](s::StrEntry::Reader x) { return Decoder::Str(x.getValue()); }))) {
        break;
      }
      if (values.IsBottom() && !o->is_delta) {
        ok = dec.Fail("list element without values");
        break;
      }
      l.mutable_elems().insert(std::move(p), std::move(values));
    }
  }
  if (!ok) {
    *error = dec.error();
    return false;
  }
  if (!o->is_delta) {
    st.str.Normalize();
    st.set.Normalize();
    st.hash.Normalize();
    st.zset.Normalize();
    st.list.Normalize();
  }
  return true;
}

capnp::ReaderOptions LimitsFor(size_t bytes) {
  capnp::ReaderOptions opt;
  // Packed input expands at most 8x in words; bound traversal by a multiple of that.
  opt.traversalLimitInWords = std::max<uint64_t>(uint64_t{1} << 16, uint64_t{bytes} * 4);
  opt.nestingLimit = 16;
  return opt;
}

template <typename F>
Status WithReader(std::string_view bytes, F&& f) {
  try {
    kj::ArrayInputStream in(
        kj::ArrayPtr<const kj::byte>(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
    capnp::PackedMessageReader reader(in, LimitsFor(bytes.size()));
    Status st = f(reader);
    if (st.ok() && in.tryGetReadBuffer().size() != 0) {
      return Status::Corruption("trailing bytes after the encoded state");
    }
    return st;
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("malformed encoding: ") + e.getDescription().cStr());
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("malformed encoding: ") + e.what());
  }
}

void PutU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t GetU64(std::string_view b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

}  // namespace

std::string EncodePosition(const Position& p) {
  std::string out;
  out.reserve(p.size() * 24);
  for (const PosDigit& d : p) {
    PutU64(&out, static_cast<uint64_t>(d.digit) ^ (uint64_t{1} << 63));
    PutU64(&out, d.dot.replica);
    PutU64(&out, d.dot.counter);
  }
  return out;
}

Result<Position> DecodePosition(std::string_view b) {
  if (b.empty() || b.size() % 24 != 0) return Status::Corruption("bad list position bytes");
  Position p;
  for (size_t at = 0; at < b.size(); at += 24) {
    p.push_back(PosDigit{static_cast<int64_t>(GetU64(b, at) ^ (uint64_t{1} << 63)),
                         Dot{GetU64(b, at + 8), GetU64(b, at + 16)}});
  }
  return p;
}

void EncodeHead(const Object& o, std::string* out) {
  capnp::MallocMessageBuilder msg;
  BuildObject(msg.initRoot<s::Object>(), o, /*head_only=*/true);
  msg.getRoot<s::Object>().setIsDelta(false);
  WritePacked(msg, out);
}

Result<Object> DecodeHead(std::string_view bytes) {
  Result<Object> o = DecodeObject(bytes);
  if (!o.ok()) return o;
  if (o->is_delta || o->store.set || o->store.hash || o->store.zset || o->store.list) {
    return Status::Corruption("a head row holds collection elements");
  }
  return o;
}

bool EncodeElement(const Object& o, ElemKind kind, std::string_view elem, std::string* out) {
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<s::Element>();
  ElemRef ref(elem);
  const CounterRuns* runs = nullptr;
  switch (kind) {
    case ElemKind::kSet: {
      const DotSet* d = o.set() ? o.set()->Find(ref) : nullptr;
      if (!d) return false;
      SetDots(e.initSetDots(static_cast<unsigned>(d->size())), *d);
      break;
    }
    case ElemKind::kHash: {
      const ValueDots<std::string>* d = o.hash() ? o.hash()->fields.Find(ref) : nullptr;
      runs = o.hash() ? o.hash()->RunsOf(ref) : nullptr;
      if (!d && !runs) return false;
      if (d) {
        SetRegister(e.initHashField(), *d);
      } else {
        e.setRunsOnly();
      }
      break;
    }
    case ElemKind::kZset: {
      const ValueDots<double>* d = o.zset() ? o.zset()->members().Find(ref) : nullptr;
      runs = o.zset() ? o.zset()->RunsOf(ref) : nullptr;
      if (!d && !runs) return false;
      if (d) {
        SetScoreRegister(e.initZsetMember(), *d);
      } else {
        e.setRunsOnly();
      }
      break;
    }
    case ElemKind::kList: {
      Result<Position> p = DecodePosition(elem);
      if (!p.ok() || !o.list()) return false;
      auto it = o.list()->elems().find(*p);
      if (it == o.list()->elems().end()) return false;
      SetStrEntries(e.initListValues(static_cast<unsigned>(it.value().size())), it.value());
      break;
    }
  }
  if (runs) SetRunsStruct(e.initRuns(), *runs);
  WritePacked(msg, out);
  return true;
}

Status DecodeElementInto(Object& o, ElemKind kind, std::string_view elem, std::string_view bytes) {
  return WithReader(bytes, [&](capnp::MessageReader& reader) -> Status {
    auto e = reader.getRoot<s::Element>();
    Decoder dec(&o.ctx);
    ElemKey key(elem);
    bool ok = true;
    auto which = e.which();
    switch (kind) {
      case ElemKind::kSet: {
        if (which != s::Element::SET_DOTS) return Status::Corruption("set row of another kind");
        DotSet dots;
        ok = dec.ReadDotSet(e.getSetDots(), &dots);
        if (ok && dots.IsBottom()) ok = dec.Fail("set member without dots");
        if (ok) o.store.set.Ensure().At(key) = std::move(dots);
        break;
      }
      case ElemKind::kHash: {
        if (which != s::Element::HASH_FIELD && which != s::Element::RUNS_ONLY) {
          return Status::Corruption("hash row of another kind");
        }
        HashStore& h = o.store.hash.Ensure();
        if (which == s::Element::HASH_FIELD) {
          ValueDots<std::string> v;
          ok = dec.ReadRegister(e.getHashField(), &v);
          if (ok && v.IsBottom()) ok = dec.Fail("hash field without dots");
          if (ok) h.fields.At(key) = std::move(v);
        }
        if (ok && e.hasRuns()) ok = dec.ReadRuns(e.getRuns(), &h.runs[key]);
        break;
      }
      case ElemKind::kZset: {
        if (which != s::Element::ZSET_MEMBER && which != s::Element::RUNS_ONLY) {
          return Status::Corruption("sorted-set row of another kind");
        }
        ZsetStore& z = o.store.zset.Ensure();
        if (which == s::Element::ZSET_MEMBER) {
          ValueDots<double> v;
          ok = dec.ReadScoreRegister(e.getZsetMember(), &v);
          if (ok && v.IsBottom()) ok = dec.Fail("sorted-set member without dots");
          if (ok) z.mutable_members().At(key) = std::move(v);
        }
        if (ok && e.hasRuns()) ok = dec.ReadRuns(e.getRuns(), &z.mutable_runs()[key]);
        break;
      }
      case ElemKind::kList: {
        if (which != s::Element::LIST_VALUES) return Status::Corruption("list row of another kind");
        Result<Position> p = DecodePosition(elem);
        if (!p.ok()) return p.status();
        ListElem values;
        ok = dec.ReadEntries<std::string, s::StrEntry>(
            e.getListValues(), &values,
            [](s::StrEntry::Reader x) { return Decoder::Str(x.getValue()); });
        if (ok && values.IsBottom()) ok = dec.Fail("list element without values");
        if (ok && !o.store.list.Ensure().mutable_elems().insert(*p, std::move(values)).second) {
          ok = dec.Fail("duplicate list position");
        }
        break;
      }
    }
    if (!ok) return Status::Corruption(dec.error());
    return Status::Ok();
  });
}

void FinishAssembly(Object& o) {
  if (o.store.zset) o.store.zset->RebuildIndex();
  o.store.set.Normalize();
  o.store.hash.Normalize();
  o.store.zset.Normalize();
  o.store.list.Normalize();
}

void EncodeObject(const Object& o, std::string* out) {
  capnp::MallocMessageBuilder msg;
  BuildObject(msg.initRoot<s::Object>(), o);
  WritePacked(msg, out);
}

Result<Object> DecodeObject(std::string_view bytes) {
  Object o;
  std::string error;
  Status st = WithReader(bytes, [&](capnp::MessageReader& reader) {
    if (!ReadObject(reader.getRoot<s::Object>(), &o, &error)) return Status::Corruption(error);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return o;
}

void EncodeContext(const CausalContext& c, std::string* out) {
  capnp::MallocMessageBuilder msg;
  auto root = msg.initRoot<s::Object>();
  auto ctx = root.initCtx(static_cast<unsigned>(c.ranges().size()));
  for (size_t i = 0; i < c.ranges().size(); ++i) {
    ctx[i].setReplica(c.ranges()[i].replica);
    ctx[i].setLo(c.ranges()[i].lo);
    ctx[i].setHi(c.ranges()[i].hi);
  }
  WritePacked(msg, out);
}

Result<CausalContext> DecodeContext(std::string_view bytes) {
  Result<Object> o = DecodeObject(bytes);
  if (!o.ok()) return o.status();
  if (!o->store.IsBottom()) return Status::Corruption("a context encoding holds a store");
  return o->ctx;
}

}  // namespace starling::lattice
