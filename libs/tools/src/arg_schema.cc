#include "oxydra/tools/arg_schema.h"

#include <cmath>
#include <string_view>

namespace oxydra::tools {

namespace {

std::string_view json_type(ArgType type) {
  switch (type) {
    case ArgType::string:
      return "string";
    case ArgType::integer:
      return "integer";
    case ArgType::boolean:
      return "boolean";
  }
  return "string";
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += '"' + v + '"';
  }
  return out;
}

// What a valid value looks like, completing `argument "x" must be ...`.
std::string expectation(const ArgField& field) {
  switch (field.type) {
    case ArgType::string:
      if (!field.allowed.empty()) return "one of " + quoted_list(field.allowed);
      return field.non_empty ? "a non-empty string" : "a string";
    case ArgType::boolean:
      return "true or false";
    case ArgType::integer:
      if (field.minimum && field.maximum) {
        return "an integer from " + std::to_string(*field.minimum) + " to " +
               std::to_string(*field.maximum);
      }
      if (field.minimum) return "an integer >= " + std::to_string(*field.minimum);
      if (field.maximum) return "an integer <= " + std::to_string(*field.maximum);
      return "an integer";
  }
  return "a value";
}

// Models often send 30.0 for 30; anything else non-integral is refused.
std::optional<std::int64_t> as_integer(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(v.get<std::uint64_t>());
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

// Returns the normalised value, or nullopt when it does not fit the field.
std::optional<nlohmann::json> check_value(const ArgField& field, const nlohmann::json& v) {
  switch (field.type) {
    case ArgType::string: {
      if (!v.is_string()) return std::nullopt;
      const auto& s = v.get_ref<const std::string&>();
      if (field.non_empty && s.find_first_not_of(" \t\r\n") == std::string::npos) {
        return std::nullopt;
      }
      if (!field.allowed.empty()) {
        bool found = false;
        for (const auto& a : field.allowed)
          found = found || a == s;
        if (!found) return std::nullopt;
      }
      return v;
    }
    case ArgType::boolean:
      if (!v.is_boolean()) return std::nullopt;
      return v;
    case ArgType::integer: {
      auto n = as_integer(v);
      if (!n) return std::nullopt;
      if (field.minimum && *n < *field.minimum) return std::nullopt;
      if (field.maximum && *n > *field.maximum) return std::nullopt;
      return nlohmann::json(*n);
    }
  }
  return std::nullopt;
}

std::string field_names(const std::vector<ArgField>& fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace

nlohmann::json ArgSchema::json_schema() const {
  nlohmann::json properties = nlohmann::json::object();
  nlohmann::json required = nlohmann::json::array();
  for (const auto& f : fields_) {
    nlohmann::json p = {{"type", json_type(f.type)}, {"description", f.description}};
    if (f.minimum) p["minimum"] = *f.minimum;
    if (f.maximum) p["maximum"] = *f.maximum;
    if (f.non_empty) p["minLength"] = 1;
    if (!f.allowed.empty()) p["enum"] = f.allowed;
    properties[f.name] = std::move(p);
    if (f.required) required.push_back(f.name);
  }
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

Result<nlohmann::json> ArgSchema::validate(const nlohmann::json& args) const {
  if (!args.is_object()) {
    return fail(ErrorCode::invalid_arguments,
                "arguments must be a JSON object with the fields: " + field_names(fields_));
  }
  std::vector<std::string> problems;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : args.items()) {
    bool known = false;
    for (const auto& f : fields_)
      known = known || f.name == key;
    if (!known && !value.is_null()) {
      problems.push_back("unknown argument \"" + key +
                         "\" (accepted arguments: " + field_names(fields_) + ")");
    }
  }
  for (const auto& f : fields_) {
    auto it = args.find(f.name);
    if (it == args.end() || it->is_null()) {
      if (f.required) {
        problems.push_back("missing required argument \"" + f.name + "\" (" + expectation(f) + ")");
      }
      continue;
    }
    auto value = check_value(f, *it);
    if (!value) {
      problems.push_back("argument \"" + f.name + "\" must be " + expectation(f));
      continue;
    }
    out[f.name] = std::move(*value);
  }
  if (problems.empty()) return out;
  std::string message;
  for (const auto& p : problems) {
    if (!message.empty()) message += "; ";
    message += p;
  }
  return fail(ErrorCode::invalid_arguments, std::move(message));
}

}  // namespace oxydra::tools
