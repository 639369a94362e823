// Helpers shared by the list commands (lists.cc) and the blocking pops (blocking.cc).
//
// A list is an OrderTree of positions (lattice/list_store.h), so the i-th element is a
// select(i) away, O(log n), and a run of m elements from there costs O(m). Changes go
// through the lattice mutators of lattice/list_ops.h inside Node::Write.
//
// Runs on the node's thread inside the deterministic core.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lattice/list_ops.h"
#include "server/command.h"

namespace starling::server::lists {

using lattice::ListEnd;

// LEFT / RIGHT, ignoring case.
std::optional<ListEnd> ParseEnd(std::string_view word);

// Removes and returns up to `count` elements from one end of the list under key, deleting
// the key when it empties. REQUIRES: key holds a list.
std::vector<std::string> PopElements(Node& node, std::string_view key, ListEnd end, size_t count);

// LMOVE's effect: pops one element from `from` of src and pushes it at `to` of dst (one
// change when src and dst are the same key, so a rotation keeps the key and its TTL).
// Returns the element. REQUIRES: src holds a non-empty list; dst holds a list or nothing.
std::string MoveElement(Node& node, std::string_view src, std::string_view dst, ListEnd from,
                        ListEnd to);

// Replies [key, [element...]] (LMPOP, BLMPOP).
void ReplyKeyAndElements(CommandContext& ctx, std::string_view key,
                         const std::vector<std::string>& elements);

}  // namespace starling::server::lists
