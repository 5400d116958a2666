// Finding one value in JSON text by skipping the rest gives what parsing it all gives.
#include "sim/json_value.h"
#include "sim/json_writer.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

namespace {

std::optional<std::string> by_parsing(const std::string& text, const std::string& pointer) {
  sim::Result<sim::JsonValue> document = sim::parse_json(text);
  REQUIRE(document.ok());
  sim::Result<const sim::JsonValue*> found = document->at_pointer(pointer);
  if (!found) return std::nullopt;
  return (*found)->to_text();
}

}  // namespace

TEST_CASE("sim: json scan: a pointer's value equals the full parse's, present or absent") {
  const std::string text = R"({
  "a": {"b": [1, {"c": "x,}]\"y"}, [], "tail"], "d": null},
  "e~f/g": 3,
  "esc\"aped": {"k": true},
  "num": -12.5e3,
  "empty": {},
  "list": [[1, 2], [3, [4, 5]], "s"],
  "dup": 1, "dup": 2
})";
  const std::vector<std::string> pointers = {
      "",         "/a",       "/a/b",    "/a/b/0",   "/a/b/1/c",    "/a/b/2",
      "/a/b/3",   "/a/b/4",   "/a/d",    "/a/d/x",   "/e~0f~1g",    "/esc\"aped/k",
      "/num",     "/num/0",   "/empty",  "/empty/x", "/list/1/1/0", "/list/1/1/2",
      "/list/01", "/list/-1", "/list/x", "/missing", "/dup",        "/a/b/1/c/0",
  };
  for (const std::string& pointer : pointers) {
    INFO("pointer '" << pointer << "'");
    sim::Result<std::optional<std::string>> scanned = sim::json_text_at_pointer(text, pointer);
    REQUIRE(scanned.ok());
    CHECK(*scanned == by_parsing(text, pointer));
  }
  CHECK_FALSE(sim::json_text_at_pointer("{\"a\": [1,", "").ok());
}

TEST_CASE("sim: json scan: every leaf of a JsonWriter dump is found as the parse finds it") {
  std::map<uint64_t, std::vector<std::string>> table;
  for (uint64_t i = 0; i < 30; ++i) table[i * 7919] = {std::to_string(i), "q\"uote", "{[,]}"};
  std::string text;
  sim::JsonWriter writer(text);
  writer.write(table);
  for (uint64_t i = 0; i < 30; ++i) {
    for (int item = 0; item < 4; ++item) {
      const std::string pointer = "/" + std::to_string(i * 7919) + "/" + std::to_string(item);
      INFO(pointer);
      sim::Result<std::optional<std::string>> scanned = sim::json_text_at_pointer(text, pointer);
      REQUIRE(scanned.ok());
      CHECK(*scanned == by_parsing(text, pointer));
    }
  }
}
