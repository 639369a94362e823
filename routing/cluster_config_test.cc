#include "routing/cluster_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/random.h"

namespace starling::routing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The example from deploy/README.md, every field given.
constexpr const char* kValid =
    R"(cluster: starling            # name (peers of another cluster are ignored)
replication_factor: 3
virtual_nodes: 64
gossip_period_ms: 10
heartbeat_ms: 100
failure_timeout_ms: 1000
resend_timeout_ms: 200
max_queue_bytes: 67108864
anti_entropy_period_ms: 10000
durability: everysec          # always | everysec | no
data_dir: ./data              # each node defaults to <data_dir>/<id>
secret: change-me
bind: 127.0.0.1
nodes:
  - {id: n1, host: 127.0.0.1, resp_port: 6379, gossip_port: 7379}
  - {id: n2, host: 127.0.0.1, resp_port: 6380, gossip_port: 7380}
  - {id: n3, host: 127.0.0.1, resp_port: 6381, gossip_port: 7381, data_dir: ./data/n3}
)";

// kValid with `from` (which must occur) replaced by `to`.
std::string With(std::string_view from, std::string_view to) {
  std::string s = kValid;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: '" << from << "' not in kValid";
  if (at != std::string::npos) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The error message parsing `yaml` gives; "" if it parsed.
std::string ErrorOf(const std::string& yaml) {
  Result<ClusterConfig> c = ParseClusterConfig(yaml);
  if (c.ok()) {
    return "";
  }
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  return c.status().message();
}

TEST(ClusterConfigTest, ValidFileRoundTrips) {
  Result<ClusterConfig> c = ParseClusterConfig(kValid);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "starling");
  EXPECT_EQ(c->replication_factor, 3);
  EXPECT_EQ(c->virtual_nodes, 64);
  EXPECT_EQ(c->gossip_period_ms, 10);
  EXPECT_EQ(c->heartbeat_ms, 100);
  EXPECT_EQ(c->failure_timeout_ms, 1000);
  EXPECT_EQ(c->resend_timeout_ms, 200);
  EXPECT_EQ(c->max_queue_bytes, 67108864);
  EXPECT_EQ(c->anti_entropy_period_ms, 10000);
  EXPECT_EQ(c->durability, "everysec");
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->secret, "change-me");
  EXPECT_EQ(c->bind, "127.0.0.1");
  ASSERT_EQ(c->nodes.size(), 3u);
  EXPECT_EQ(c->nodes[0].id, "n1");
  EXPECT_EQ(c->nodes[0].host, "127.0.0.1");
  EXPECT_EQ(c->nodes[0].resp_port, 6379);
  EXPECT_EQ(c->nodes[0].gossip_port, 7379);
  EXPECT_EQ(c->nodes[0].data_dir, "./data/n1");
  EXPECT_EQ(c->nodes[1].data_dir, "./data/n2");
  EXPECT_EQ(c->nodes[2].data_dir, "./data/n3");
  EXPECT_EQ(c->nodes[2].resp_port, 6381);
  EXPECT_EQ(c->nodes[2].gossip_port, 7381);
  ASSERT_NE(c->Find("n2"), nullptr);
  EXPECT_EQ(c->Find("n2")->resp_port, 6380);
  EXPECT_EQ(c->Find("n4"), nullptr);
  EXPECT_EQ(c->EffectiveReplicationFactor(), 3);
}

TEST(ClusterConfigTest, DefaultsFillOmittedFields) {
  Result<ClusterConfig> c = ParseClusterConfig(
      "nodes:\n  - {id: a, host: h, resp_port: 1, gossip_port: 2}\n"
      "  - {id: b, host: h, resp_port: 3, gossip_port: 4, data_dir: /srv/b}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const ClusterConfig d;
  EXPECT_EQ(c->name, d.name);
  EXPECT_EQ(c->replication_factor, d.replication_factor);
  EXPECT_EQ(c->virtual_nodes, d.virtual_nodes);
  EXPECT_EQ(c->gossip_period_ms, d.gossip_period_ms);
  EXPECT_EQ(c->heartbeat_ms, d.heartbeat_ms);
  EXPECT_EQ(c->failure_timeout_ms, d.failure_timeout_ms);
  EXPECT_EQ(c->resend_timeout_ms, d.resend_timeout_ms);
  EXPECT_EQ(c->max_queue_bytes, d.max_queue_bytes);
  EXPECT_EQ(c->anti_entropy_period_ms, d.anti_entropy_period_ms);
  EXPECT_EQ(c->durability, "everysec");
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->secret, "");
  EXPECT_EQ(c->bind, "127.0.0.1");
  EXPECT_EQ(c->nodes[0].data_dir, "./data/a");
  EXPECT_EQ(c->nodes[1].data_dir, "/srv/b");
  EXPECT_EQ(c->EffectiveReplicationFactor(), 2);  // rf 3 capped at two nodes
}

TEST(ClusterConfigTest, NodeDataDirJoinsClusterDataDir) {
  Result<ClusterConfig> c = ParseClusterConfig(With("data_dir: ./data ", "data_dir: /var/lib/s/"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->nodes[0].data_dir, "/var/lib/s/n1");
}

TEST(ClusterConfigTest, BlockStyleNodesAndQuotedValues) {
  Result<ClusterConfig> c = ParseClusterConfig(
      "durability: \"no\"\nsecret: \"\"\nnodes:\n  - id: \"n-1.a_b\"\n    host: node-0.svc\n"
      "    resp_port: \"6379\"\n    gossip_port: 7379\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->durability, "no");
  EXPECT_EQ(c->secret, "");
  EXPECT_EQ(c->nodes[0].id, "n-1.a_b");
  EXPECT_EQ(c->nodes[0].resp_port, 6379);
}

TEST(ClusterConfigTest, SamePortOnDifferentHostsIsFine) {
  EXPECT_EQ(ErrorOf("nodes:\n  - {id: a, host: h1, resp_port: 6379, gossip_port: 7379}\n"
                    "  - {id: b, host: h2, resp_port: 6379, gossip_port: 7379}\n"),
            "");
}

// One test per validation error; each names the field.

TEST(ClusterConfigTest, DuplicateId) {
  EXPECT_EQ(ErrorOf(With("id: n2", "id: n1")), "nodes[1].id: duplicate id 'n1'");
}

TEST(ClusterConfigTest, ReplicationFactorBelowOne) {
  EXPECT_EQ(ErrorOf(With("replication_factor: 3", "replication_factor: 0")),
            "replication_factor: must be at least 1 (got 0)");
  EXPECT_EQ(ErrorOf(With("replication_factor: 3", "replication_factor: -2")),
            "replication_factor: must be at least 1 (got -2)");
}

TEST(ClusterConfigTest, MissingRespPort) {
  EXPECT_EQ(ErrorOf(With("resp_port: 6379, ", "")), "nodes[0].resp_port: missing");
}

TEST(ClusterConfigTest, MissingGossipPort) {
  EXPECT_EQ(ErrorOf(With(", gossip_port: 7380", "")), "nodes[1].gossip_port: missing");
}

TEST(ClusterConfigTest, MissingId) {
  EXPECT_EQ(ErrorOf(With("id: n3, ", "")), "nodes[2].id: missing");
}

TEST(ClusterConfigTest, MissingHost) {
  EXPECT_EQ(ErrorOf(With("{id: n1, host: 127.0.0.1, ", "{id: n1, ")), "nodes[0].host: missing");
}

TEST(ClusterConfigTest, UnknownFieldTypo) {
  std::string err = ErrorOf(With("replication_factor", "replicaton_factor"));
  EXPECT_THAT(err, StartsWith("unknown field 'replicaton_factor'"));
  EXPECT_THAT(err, HasSubstr("did you mean 'replication_factor'?"));
}

TEST(ClusterConfigTest, UnknownNodeField) {
  EXPECT_EQ(ErrorOf(With("gossip_port: 7381", "gossip_port: 7381, weight: 2")),
            "nodes[2]: unknown field 'weight'");
}

TEST(ClusterConfigTest, DuplicateField) {
  EXPECT_EQ(ErrorOf(std::string(kValid) + "heartbeat_ms: 5\n"), "field 'heartbeat_ms' given twice");
}

TEST(ClusterConfigTest, PortReusedByAnotherNode) {
  EXPECT_EQ(ErrorOf(With("gossip_port: 7381", "gossip_port: 7379")),
            "nodes[2].gossip_port: port 7379 already used by nodes[0].gossip_port");
}

TEST(ClusterConfigTest, PortReusedAcrossRespAndGossip) {
  EXPECT_EQ(ErrorOf(With("resp_port: 6380", "resp_port: 7379")),
            "nodes[1].resp_port: port 7379 already used by nodes[0].gossip_port");
  EXPECT_EQ(ErrorOf(With("gossip_port: 7379", "gossip_port: 6379")),
            "nodes[0].gossip_port: port 6379 already used by nodes[0].resp_port");
}

TEST(ClusterConfigTest, PortOutOfRange) {
  EXPECT_EQ(ErrorOf(With("resp_port: 6379", "resp_port: 0")),
            "nodes[0].resp_port: must be in 1..65535 (got 0)");
  EXPECT_EQ(ErrorOf(With("gossip_port: 7380", "gossip_port: 65536")),
            "nodes[1].gossip_port: must be in 1..65535 (got 65536)");
  EXPECT_EQ(ErrorOf(With("resp_port: 6381", "resp_port: -1")),
            "nodes[2].resp_port: must be in 1..65535 (got -1)");
  EXPECT_EQ(ErrorOf(With("resp_port: 6381", "resp_port: 65535")), "");
}

TEST(ClusterConfigTest, IdWithBadCharacters) {
  EXPECT_EQ(ErrorOf(With("id: n2", "id: n/2")),
            "nodes[1].id: must be letters, digits, '_', '.' or '-' (got 'n/2')");
  EXPECT_EQ(ErrorOf(With("id: n2", "id: 'n 2'")),
            "nodes[1].id: must be letters, digits, '_', '.' or '-' (got 'n 2')");
}

TEST(ClusterConfigTest, EmptyId) {
  EXPECT_EQ(ErrorOf(With("id: n2", "id: ''")), "nodes[1].id: must not be empty");
  EXPECT_EQ(ErrorOf(With("id: n2", "id: ")), "nodes[1].id: missing value");
}

// Every duration must be positive.
class DurationTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DurationTest, ZeroOrNegativeIsAnError) {
  const std::string field = GetParam();
  std::string line = field + ": ";
  std::string yaml = kValid;
  size_t at = yaml.find(line);
  ASSERT_NE(at, std::string::npos);
  size_t end = yaml.find('\n', at);
  for (const char* bad : {"0", "-5"}) {
    std::string y = yaml;
    y.replace(at, end - at, line + bad);
    EXPECT_EQ(ErrorOf(y), field + ": must be positive (got " + bad + ")");
  }
}

INSTANTIATE_TEST_SUITE_P(AllDurations, DurationTest,
                         ::testing::Values("gossip_period_ms", "heartbeat_ms", "failure_timeout_ms",
                                           "resend_timeout_ms", "anti_entropy_period_ms",
                                           "max_queue_bytes"));

TEST(ClusterConfigTest, VirtualNodesOutOfRange) {
  EXPECT_EQ(ErrorOf(With("virtual_nodes: 64", "virtual_nodes: 0")),
            "virtual_nodes: must be in 1..65536 (got 0)");
  EXPECT_EQ(ErrorOf(With("virtual_nodes: 64", "virtual_nodes: 1000000")),
            "virtual_nodes: must be in 1..65536 (got 1000000)");
}

TEST(ClusterConfigTest, DurabilityNotOneOfThree) {
  EXPECT_EQ(ErrorOf(With("durability: everysec", "durability: sometimes")),
            "durability: must be always, everysec or no (got 'sometimes')");
  EXPECT_EQ(ErrorOf(With("durability: everysec", "durability: always")), "");
  // Unquoted `no` is YAML 1.1's false, but it is read as the word here.
  EXPECT_EQ(ErrorOf(With("durability: everysec", "durability: no")), "");
}

TEST(ClusterConfigTest, NoNodes) {
  std::string yaml = kValid;
  yaml = yaml.substr(0, yaml.find("\nnodes:")) + "\nnodes: []\n";
  EXPECT_EQ(ErrorOf(yaml), "nodes: at least one node is required");
}

TEST(ClusterConfigTest, NodesMissing) {
  EXPECT_EQ(ErrorOf("cluster: x\n"), "nodes: missing (at least one node is required)");
}

TEST(ClusterConfigTest, NodesNotAList) {
  EXPECT_EQ(ErrorOf("nodes: n1\n"), "nodes: expected a list of nodes (got 'n1')");
  EXPECT_EQ(ErrorOf("nodes:\n"), "nodes: expected a list of nodes (got nothing)");
}

TEST(ClusterConfigTest, NodeNotAMapping) {
  EXPECT_EQ(ErrorOf("nodes: [n1]\n"),
            "nodes[0]: expected a mapping with id, host, resp_port and gossip_port (got 'n1')");
}

TEST(ClusterConfigTest, EmptyStrings) {
  EXPECT_EQ(ErrorOf(With("cluster: starling", "cluster: ''")), "cluster: must not be empty");
  EXPECT_EQ(ErrorOf(With("data_dir: ./data ", "data_dir: '' ")), "data_dir: must not be empty");
  EXPECT_EQ(ErrorOf(With("bind: 127.0.0.1", "bind: ''")), "bind: must not be empty");
  EXPECT_EQ(ErrorOf(With("{id: n1, host: 127.0.0.1,", "{id: n1, host: '',")),
            "nodes[0].host: must not be empty");
  EXPECT_EQ(ErrorOf(With("secret: change-me", "secret:")), "secret: missing value");
}

TEST(ClusterConfigTest, DataDirSharedOnOneHost) {
  EXPECT_EQ(ErrorOf(With("data_dir: ./data/n3", "data_dir: data/n1")),
            "nodes[2].data_dir: directory 'data/n1' already used by nodes[0].data_dir");
}

// Wrong types are errors naming the field, never exceptions.

TEST(ClusterConfigTest, WordForInteger) {
  EXPECT_EQ(ErrorOf(With("replication_factor: 3", "replication_factor: three")),
            "replication_factor: expected an integer (got 'three')");
}

TEST(ClusterConfigTest, MalformedIntegers) {
  for (const char* bad : {"6379.5", "0x10", "1e3", "12abc", "' 6379'", "''", "+6379"}) {
    std::string err = ErrorOf(With("resp_port: 6379", std::string("resp_port: ") + bad));
    EXPECT_THAT(err, StartsWith("nodes[0].resp_port: expected an integer")) << bad;
  }
  EXPECT_EQ(ErrorOf(With("resp_port: 6379", "resp_port: [1, 2]")),
            "nodes[0].resp_port: expected an integer (got a list)");
  EXPECT_EQ(ErrorOf(With("heartbeat_ms: 100", "heartbeat_ms: {a: 1}")),
            "heartbeat_ms: expected an integer (got a mapping)");
}

TEST(ClusterConfigTest, IntegerOverflow) {
  EXPECT_EQ(ErrorOf(With("virtual_nodes: 64", "virtual_nodes: 99999999999")),
            "virtual_nodes: out of range (got 99999999999)");
  EXPECT_EQ(ErrorOf(With("max_queue_bytes: 67108864", "max_queue_bytes: 99999999999999999999")),
            "max_queue_bytes: out of range (got 99999999999999999999)");
}

TEST(ClusterConfigTest, ListForString) {
  EXPECT_EQ(ErrorOf(With("cluster: starling", "cluster: [a, b]")),
            "cluster: expected a string (got a list)");
}

TEST(ClusterConfigTest, NotAMapping) {
  EXPECT_THAT(ErrorOf(""), StartsWith("config: expected a mapping"));
  EXPECT_THAT(ErrorOf("# only a comment\n"), StartsWith("config: expected a mapping"));
  EXPECT_THAT(ErrorOf("just words"), StartsWith("config: expected a mapping"));
  EXPECT_THAT(ErrorOf("- a\n- b\n"), StartsWith("config: expected a mapping"));
  EXPECT_THAT(ErrorOf("[1, 2]: x\nnodes: []\n"), HasSubstr("field names must be plain words"));
}

TEST(ClusterConfigTest, SyntaxErrorsGiveTheLine) {
  EXPECT_THAT(ErrorOf(With("{id: n2,", "{id: n2")), StartsWith("yaml: line"));
  EXPECT_THAT(ErrorOf("nodes: [\n"), StartsWith("yaml: line"));
  EXPECT_THAT(ErrorOf("a: b: c\n"), StartsWith("yaml: line 1"));
  EXPECT_THAT(ErrorOf("nodes:\n\t- x\n"), StartsWith("yaml: line"));
  EXPECT_THAT(ErrorOf("a: *undefined\n"), StartsWith("yaml: line"));
}

TEST(ClusterConfigTest, DeepNestingIsAnError) {
  EXPECT_NE(ErrorOf(std::string(100000, '[')), "");
  EXPECT_NE(ErrorOf("nodes: " + std::string(100000, '[') + std::string(100000, ']')), "");
  std::string maps;
  for (int i = 0; i < 20000; ++i) {
    maps += "{a: ";
  }
  EXPECT_NE(ErrorOf(maps), "");
}

TEST(ClusterConfigTest, SelfReferencingAliases) {
  EXPECT_NE(ErrorOf("nodes: &a [*a]\n"), "");
  EXPECT_NE(ErrorOf("&a {nodes: *a}\n"), "");
}

// Fuzz-style: garbage and damaged configs give an error or a config, never a crash.

TEST(ClusterConfigFuzzTest, EveryTruncation) {
  const std::string full = kValid;
  for (size_t n = 0; n <= full.size(); ++n) {
    Result<ClusterConfig> c = ParseClusterConfig(full.substr(0, n));
    EXPECT_TRUE(c.ok() || !c.status().message().empty()) << n;
  }
}

TEST(ClusterConfigFuzzTest, RandomMutations) {
  static constexpr char kChars[] = ":-[]{}#&*!|>'\"\n \t,?%@`0123456789ax\\\x00\xff";
  constexpr std::string_view kAlphabet(kChars, sizeof(kChars) - 1);
  Prng rng(20240601);
  const std::string full = kValid;
  for (int round = 0; round < 20000; ++round) {
    std::string s = full;
    int edits = 1 + static_cast<int>(rng.Uniform(8));
    for (int e = 0; e < edits; ++e) {
      size_t at = rng.Uniform(s.size());
      char ch = kAlphabet[rng.Uniform(kAlphabet.size())];
      switch (rng.Uniform(3)) {
        case 0:
          s[at] = ch;
          break;
        case 1:
          s.insert(at, 1, ch);
          break;
        default:
          s.erase(at, 1 + rng.Uniform(8));
          break;
      }
      if (s.empty()) {
        s = "x";
      }
    }
    Result<ClusterConfig> c = ParseClusterConfig(s);
    ASSERT_TRUE(c.ok() || !c.status().message().empty()) << "seed 20240601 round " << round;
  }
}

RC_GTEST_PROP(ClusterConfigFuzzTest, ArbitraryBytesNeverCrash, (const std::string& text)) {
  Result<ClusterConfig> c = ParseClusterConfig(text);
  RC_ASSERT(c.ok() || !c.status().message().empty());
}

// Loading from disk.

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(LoadClusterConfigTest, ReadsAFile) {
  Result<ClusterConfig> c = LoadClusterConfig(WriteTemp("routing_ok.yaml", kValid));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->nodes.size(), 3u);
}

TEST(LoadClusterConfigTest, MissingFile) {
  Result<ClusterConfig> c = LoadClusterConfig("/nonexistent/starling.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(),
            "cluster config /nonexistent/starling.yaml: cannot open: No such file or directory");
}

TEST(LoadClusterConfigTest, DirectoryIsNotAConfig) {
  Result<ClusterConfig> c = LoadClusterConfig(::testing::TempDir());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("not a regular file"));
}

TEST(LoadClusterConfigTest, ErrorsNameTheFile) {
  std::string path = WriteTemp("routing_bad.yaml", With("id: n2", "id: n1"));
  Result<ClusterConfig> c = LoadClusterConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message(), "cluster config " + path + ": nodes[1].id: duplicate id 'n1'");
}

TEST(LoadClusterConfigTest, HugeFileIsRefused) {
  std::string path = WriteTemp("routing_huge.yaml", std::string(2 << 20, '#'));
  Result<ClusterConfig> c = LoadClusterConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("larger than 1 MiB"));
}

// The shipped local example must stay valid and match what deploy/README.md says.
TEST(LoadClusterConfigTest, LocalExampleIsValid) {
  Result<ClusterConfig> c = LoadClusterConfig(STARLING_SOURCE_DIR "/deploy/local/cluster.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->nodes.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c->nodes[i].id, "n" + std::to_string(i + 1));
    EXPECT_EQ(c->nodes[i].resp_port, 6379 + i);
    EXPECT_EQ(c->nodes[i].gossip_port, 7379 + i);
    EXPECT_EQ(c->nodes[i].data_dir, "./data/n" + std::to_string(i + 1));
  }
}

TEST(ValidateClusterConfigTest, AcceptsCodeBuiltConfigWithDefaultDirs) {
  ClusterConfig c;
  c.nodes = {{"a", "h", 1, 2, ""}, {"b", "h", 3, 4, ""}};
  EXPECT_TRUE(ValidateClusterConfig(c).ok());
  c.nodes[1].gossip_port = 1;
  EXPECT_EQ(ValidateClusterConfig(c).message(),
            "nodes[1].gossip_port: port 1 already used by nodes[0].resp_port");
}

}  // namespace
}  // namespace starling::routing
