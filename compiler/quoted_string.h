// Double-quoted strings that are valid JSON and valid YAML at once: the one string syntax of
// compiled plans and canonical guard text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace asmplan {

/// Code points a reader cannot see or tell from a space, or that reorder the text around them:
/// C1 controls, U+00A0 and the other Unicode spaces, zero-width and bidirectional controls
/// (Trojan Source), U+FEFF, tag characters. Escaped wherever asmplan shows or writes text.
bool IsInvisibleCodePoint(std::uint32_t cp);

/// U+202A..U+202E and U+2066..U+2069: they make source text read differently from what it is.
bool IsBidiControl(std::uint32_t cp);

/// The first invisible code point (IsInvisibleCodePoint) in `s`, or 0.
std::uint32_t FirstInvisible(std::string_view s);

/// Decodes one UTF-8 sequence at s[i] into `*cp`; returns its length, or 0 when it is not valid
/// UTF-8 (overlong forms, surrogates and code points above U+10FFFF included).
size_t DecodeUtf8(std::string_view s, size_t i, std::uint32_t* cp);

/// Appends \uXXXX, or a surrogate pair \uD8XX\uDCXX above U+FFFF (as JSON writes it).
void AppendEscapedCodePoint(std::uint32_t cp, std::string* out);

/// `s` safe and honest on a terminal: control characters but `\n` and `\t` and invisible code
/// points as \uXXXX, bytes that are not UTF-8 as \xNN, the rest as it is. For display only.
std::string VisibleText(std::string_view s);

/// Appends `s` to `out` as a double-quoted string. `"` and `\` are escaped, control characters
/// become \b \f \n \r \t or \u00XX, and code points YAML does not allow raw (U+0080..U+009F,
/// U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF) or a reader cannot see (IsInvisibleCodePoint) become
/// \uXXXX; other UTF-8 stays as it is, so unicode text reads naturally. Bytes that are not valid
/// UTF-8 become \ufffd (the only lossy case).
void AppendQuoted(std::string_view s, std::string* out);

/// `s` double-quoted as by AppendQuoted.
std::string Quoted(std::string_view s);

/// Parses the double-quoted string that starts at text[*pos] (which must be `"`). Accepts the JSON
/// escapes (\" \\ \/ \b \f \n \r \t \uXXXX incl. surrogate pairs); refuses raw control
/// characters. On success stores the value in `out` and moves *pos past the closing quote;
/// otherwise returns false with a message in `err` and leaves *pos at the offending character.
bool ParseQuoted(std::string_view text, size_t* pos, std::string* out, std::string* err);

}  // namespace asmplan
