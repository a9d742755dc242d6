// The canonical text of a parameter value (ParamValue::value) as it appears in a compiled plan.
#pragma once

#include <string_view>

namespace asmplan {

/// True when `text` is one JSON value that is also a YAML flow value and can be written into a
/// compiled plan as it is: a string quoted exactly as AppendQuoted would, an integer or decimal
/// number, true, false, or a flat array of those (`[` `,` `]` with optional single spaces).
bool IsFlowJsonValue(std::string_view text);

}  // namespace asmplan
