# Canonical encoding of lattice states (lattice/codec.h). Built deterministically from the
# sorted in-memory state, so equal states encode to equal bytes. Stored packed.
@0xb0af8eda53cfd496;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("starling::lattice::schema");

struct Dot {
  replica @0 :UInt64;
  counter @1 :UInt64;
}

# A range of dots [lo, hi] of one replica (CausalContext).
struct DotRange {
  replica @0 :UInt64;
  lo @1 :UInt64;
  hi @2 :UInt64;
}

# A counter run's total. The float part is a long double split into two doubles
# (hi = (double)f, lo = (double)(f - hi)), exact for 64-bit mantissas.
struct Contribution {
  seq @0 :UInt64;
  i @1 :Int64;
  fHi @2 :Float64;
  fLo @3 :Float64;
}

struct Run {
  run @0 :Dot;
  total @1 :Contribution;
}

struct Runs {
  totals @0 :List(Run);
  baseline @1 :List(Run);
}

struct TagEntry {
  dot @0 :Dot;
  type @1 :UInt8;
  stamp @2 :UInt64;
}

struct ExpiryEntry {
  dot @0 :Dot;
  atMs @1 :Int64;
}

struct StrEntry {
  dot @0 :Dot;
  stamp @1 :UInt64;
  value @2 :Data;
  absorbed @3 :List(Run);
}

struct ScoreEntry {
  dot @0 :Dot;
  stamp @1 :UInt64;
  score @2 :Float64;
  absorbed @3 :List(Run);
}

struct Register {
  entries @0 :List(StrEntry);
  marks @1 :List(Dot);
}

struct ScoreRegister {
  entries @0 :List(ScoreEntry);
  marks @1 :List(Dot);
}

struct StringBox {
  dots @0 :Register;
  runs @1 :Runs;   # null when the register has no runs
}

struct SetMember {
  member @0 :Data;
  dots @1 :List(Dot);
}

struct HashField {
  field @0 :Data;
  value @1 :Register;
}

struct ElemRuns {
  elem @0 :Data;
  runs @1 :Runs;
}

struct HashBox {
  fields @0 :List(HashField);
  runs @1 :List(ElemRuns);
}

struct ZMember {
  member @0 :Data;
  value @1 :ScoreRegister;
}

struct ZsetBox {
  members @0 :List(ZMember);
  runs @1 :List(ElemRuns);
}

struct PosDigit {
  digit @0 :Int64;
  dot @1 :Dot;
}

struct ListElem {
  pos @0 :List(PosDigit);
  values @1 :List(StrEntry);
}

# The whole state of one key (lattice/object.h). Absent type stores are null pointers.
struct Object {
  ctx @0 :List(DotRange);
  isDelta @1 :Bool;
  tags @2 :List(TagEntry);
  expiry @3 :List(ExpiryEntry);
  persist @4 :List(Dot);
  str @5 :StringBox;
  set @6 :List(SetMember);
  hash @7 :HashBox;
  zset @8 :ZsetBox;
  list @9 :List(ListElem);
  hasSet @10 :Bool;
  hasList @11 :Bool;
}

# Storage rows (lattice/codec.h): an object is kept as a head row (an Object with no
# collection elements) and one row per collection element, so that a change rewrites only
# the elements it touched. The element's key (member, field or list position) is in the
# row key, not here.
struct Element {
  union {
    setDots @0 :List(Dot);
    hashField @1 :Register;
    zsetMember @2 :ScoreRegister;
    listValues @3 :List(StrEntry);
    runsOnly @5 :Void;   # a hash field or sorted-set member with counter runs and no dots
  }
  runs @4 :Runs;         # the element's counter runs (hash fields, sorted-set members)
}
