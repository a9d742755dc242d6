# Run after ANTLR4 generates the lexer and parser (cmake -DGEN_DIR=... -P lazy_init.cmake).
# The generated code builds each recognizer's tables (it deserializes the ATN) in a static object,
# before main, in every asmplan process: about 1 ms of `asmplan run COMPILED.yaml`'s start, which
# never parses a source. This moves that object into the constructor, as a function-local static
# (built once, thread-safe, on first use). A generator whose output does not match stops the build
# before either file is rewritten.
foreach(recognizer Lexer Parser)
  if(recognizer STREQUAL "Lexer")
    set(base Lexer)
    set(arg "CharStream *input")
  else()
    set(base Parser)
    set(arg "TokenStream *input")
  endif()
  set(file "${GEN_DIR}/AsmPlan${recognizer}.cpp")
  file(READ "${file}" text)
  set(definition "AsmPlan${recognizer}::Initializer AsmPlan${recognizer}::_init;")
  set(constructor "AsmPlan${recognizer}::AsmPlan${recognizer}(${arg}) : ${base}(input) {")
  string(FIND "${text}" "${definition}" at_definition)
  string(FIND "${text}" "${constructor}" at_constructor)
  if(at_definition EQUAL -1 OR at_constructor EQUAL -1)
    message(FATAL_ERROR "${file}: not the code this script knows (ANTLR4 4.7.2's): "
                        "look for `${definition}` and `${constructor}`")
  endif()
  string(REPLACE "${definition}" "" text "${text}")
  string(REPLACE "${constructor}" "${constructor}\n  static Initializer init;  // lazy_init.cmake"
         text "${text}")
  set(file_${recognizer} "${file}")
  set(text_${recognizer} "${text}")
endforeach()
foreach(recognizer Lexer Parser)
  file(WRITE "${file_${recognizer}}" "${text_${recognizer}}")
endforeach()
