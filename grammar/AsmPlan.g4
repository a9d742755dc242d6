// The asmplan language. docs/language.md is the reference; compiler/parse_tree_builder.cc turns
// this grammar's parse tree into the typed AST of compiler/ast.h.
//
// Design notes:
// - Newlines end statements (a `run` argv ends at the end of its line), so NEWLINE is a token and
//   blocks are `{ sep* stmt (sep+ stmt)* sep* }` where sep is a newline or `;`.
// - Keywords are soft: `word` and `name` accept every keyword, so `context` can be a parameter
//   name and `kubectl get pods` an argv.
// - Every list is a loop, never right recursion. The only recursion is a parenthesized guard; the
//   compiler bounds its depth with a pre-scan before this parser runs.
// - Durations, counts, `2/2`, identifiers and interpolations are all `word`s: the compiler checks
//   them after `${...}` substitution, which gives better messages than a lexer error.
grammar AsmPlan;

file : sep* (planDecl | useDecl) sep* EOF ;

// ---- plan ------------------------------------------------------------------------------------
planDecl : PLAN name planBody ;
// The compiler parses a plan in pieces, `planHead`, then one `planItem` at a time, then
// `planEnd`, so only one item's parse tree is alive at once (see compiler/parser.cc).
planHead : sep* PLAN name '{' ;
planEnd : sep* EOF ;
planBody : '{' sep* (planItem (sep+ planItem)*)? sep* '}' ;
planItem : titleDecl | paramDecl | artifactDecl | stepDecl | forDecl ;

titleDecl : TITLE str ;
paramDecl : PARAM name ':' paramType ('=' value)? SECRET? ;
paramType : STRING_T | INT_T | BOOL_T | DURATION_T | LIST_T '<' STRING_T '>' ;

// ---- use (an environment file) ---------------------------------------------------------------
useDecl : USE str '{' sep* (binding (sep+ binding)*)? sep* '}' ;
binding : name '=' value ;

value : str | listValue | word ;
listValue : '[' NEWLINE* (listItem (NEWLINE* ',' NEWLINE* listItem)* NEWLINE* ','?)? NEWLINE* ']' ;
listItem : str | word ;

// ---- artifact --------------------------------------------------------------------------------
artifactDecl : ARTIFACT name '{' sep* (artifactItem (sep+ artifactItem)*)? sep* '}' ;
artifactItem
  : URL text                    # artifactUrl
  | SIGNATURE text              # artifactSignature
  | PUBLIC_KEY FILE text        # artifactKeyFile
  | PUBLIC_KEY text             # artifactKeyInline
  | SHA256 text                 # artifactSha256
  | EXTRACT_TO text             # artifactExtractTo
  | VERIFY NONE                 # artifactVerifyNone
  ;

// ---- steps -----------------------------------------------------------------------------------
stepDecl : STEP stepId (AFTER stepRef (',' stepRef)*)? '{' sep* (stepItem (sep+ stepItem)*)? sep* '}' ;
stepId : name ('[' word ']')? ;
stepRef : name ('[' word ']')? ;
stepItem
  : RUN text+                                           # runStmt
  | FETCH name                                          # fetchStmt
  | REQUIRE guard                                       # requireStmt
  | SKIP_ IF guard                                       # skipStmt
  | WAIT UNTIL guard (TIMEOUT word | EVERY word)*       # waitStmt
  | VERIFY guard                                        # verifyStmt
  | TIMEOUT word                                        # timeoutStmt
  | RETRY word (BACKOFF word)?                          # retryStmt
  | IDEMPOTENT                                          # idempotentStmt
  | CONFIRM text                                        # confirmStmt
  ;

forDecl : FOR name IN forList (PARALLEL word)? '{' sep* (stepDecl (sep+ stepDecl)*)? sep* '}' ;
forList : listValue | word ;

// ---- guards: `not` binds tighter than `and`, `and` tighter than `or` -------------------------
guard : guardAnd (OR guardAnd)* ;
guardAnd : guardNot (AND guardNot)* ;
guardNot : NOT* guardAtom ;
guardAtom
  : '(' guard ')'                                       # parenGuard
  | PODS IN NS text ALL READY                           # podsReadyGuard
  | PODS IN NS text ALL SHOW word                       # podsShowGuard
  | NO PODS IN NS text TERMINATING                      # noTerminatingGuard
  | DEPLOYMENT text IN NS text ROLLED OUT               # rolledOutGuard
  | CONTEXT IS text                                     # contextGuard
  | CLUSTERROLEBINDING text EXISTS                      # bindingGuard
  | SIDECARS IN NS text AT VERSION text                 # sidecarsGuard
  | ISTIO CONTROL PLANE AT VERSION text                 # controlPlaneGuard
  | COMMAND '[' (text (','? text)*)? ']' SUCCEEDS       # commandGuard
  ;

// ---- atoms --------------------------------------------------------------------------------
// Flat rules: one parse-tree node per word, since a plan can hold hundreds of thousands of them.
// Every keyword is also a word (soft keywords).
text
  : STRING | TSTRING | WORD |
    PLAN | TITLE | PARAM | SECRET | USE | ARTIFACT | URL | SIGNATURE | PUBLIC_KEY | FILE |
    SHA256 | EXTRACT_TO | VERIFY | NONE | STEP | AFTER | RUN | FETCH | REQUIRE | SKIP_ | IF |
    WAIT | UNTIL | TIMEOUT | EVERY | RETRY | BACKOFF | IDEMPOTENT | CONFIRM | FOR | IN |
    PARALLEL | PODS | NS | ALL | READY | SHOW | NO | TERMINATING | DEPLOYMENT | ROLLED | OUT |
    CONTEXT | IS | CLUSTERROLEBINDING | EXISTS | SIDECARS | AT | VERSION | ISTIO | CONTROL |
    PLANE | COMMAND | SUCCEEDS | AND | OR | NOT | STRING_T | INT_T | BOOL_T | DURATION_T |
    LIST_T
  ;
str : STRING | TSTRING ;
name
  : WORD |
    PLAN | TITLE | PARAM | SECRET | USE | ARTIFACT | URL | SIGNATURE | PUBLIC_KEY | FILE |
    SHA256 | EXTRACT_TO | VERIFY | NONE | STEP | AFTER | RUN | FETCH | REQUIRE | SKIP_ | IF |
    WAIT | UNTIL | TIMEOUT | EVERY | RETRY | BACKOFF | IDEMPOTENT | CONFIRM | FOR | IN |
    PARALLEL | PODS | NS | ALL | READY | SHOW | NO | TERMINATING | DEPLOYMENT | ROLLED | OUT |
    CONTEXT | IS | CLUSTERROLEBINDING | EXISTS | SIDECARS | AT | VERSION | ISTIO | CONTROL |
    PLANE | COMMAND | SUCCEEDS | AND | OR | NOT | STRING_T | INT_T | BOOL_T | DURATION_T |
    LIST_T
  ;
word
  : WORD |
    PLAN | TITLE | PARAM | SECRET | USE | ARTIFACT | URL | SIGNATURE | PUBLIC_KEY | FILE |
    SHA256 | EXTRACT_TO | VERIFY | NONE | STEP | AFTER | RUN | FETCH | REQUIRE | SKIP_ | IF |
    WAIT | UNTIL | TIMEOUT | EVERY | RETRY | BACKOFF | IDEMPOTENT | CONFIRM | FOR | IN |
    PARALLEL | PODS | NS | ALL | READY | SHOW | NO | TERMINATING | DEPLOYMENT | ROLLED | OUT |
    CONTEXT | IS | CLUSTERROLEBINDING | EXISTS | SIDECARS | AT | VERSION | ISTIO | CONTROL |
    PLANE | COMMAND | SUCCEEDS | AND | OR | NOT | STRING_T | INT_T | BOOL_T | DURATION_T |
    LIST_T
  ;
sep : NEWLINE | ';' ;

// ---- lexer -----------------------------------------------------------------------------------
PLAN : 'plan' ;
TITLE : 'title' ;
PARAM : 'param' ;
SECRET : 'secret' ;
USE : 'use' ;
ARTIFACT : 'artifact' ;
URL : 'url' ;
SIGNATURE : 'signature' ;
PUBLIC_KEY : 'public_key' ;
FILE : 'file' ;
SHA256 : 'sha256' ;
EXTRACT_TO : 'extract_to' ;
VERIFY : 'verify' ;
NONE : 'none' ;
STEP : 'step' ;
AFTER : 'after' ;
RUN : 'run' ;
FETCH : 'fetch' ;
REQUIRE : 'require' ;
SKIP_ : 'skip' ;
IF : 'if' ;
WAIT : 'wait' ;
UNTIL : 'until' ;
TIMEOUT : 'timeout' ;
EVERY : 'every' ;
RETRY : 'retry' ;
BACKOFF : 'backoff' ;
IDEMPOTENT : 'idempotent' ;
CONFIRM : 'confirm' ;
FOR : 'for' ;
IN : 'in' ;
PARALLEL : 'parallel' ;
PODS : 'pods' ;
NS : 'ns' ;
ALL : 'all' ;
READY : 'ready' ;
SHOW : 'show' ;
NO : 'no' ;
TERMINATING : 'terminating' ;
DEPLOYMENT : 'deployment' ;
ROLLED : 'rolled' ;
OUT : 'out' ;
CONTEXT : 'context' ;
IS : 'is' ;
CLUSTERROLEBINDING : 'clusterrolebinding' ;
EXISTS : 'exists' ;
SIDECARS : 'sidecars' ;
AT : 'at' ;
VERSION : 'version' ;
ISTIO : 'istio' ;
CONTROL : 'control' ;
PLANE : 'plane' ;
COMMAND : 'command' ;
SUCCEEDS : 'succeeds' ;
AND : 'and' ;
OR : 'or' ;
NOT : 'not' ;
STRING_T : 'string' ;
INT_T : 'int' ;
BOOL_T : 'bool' ;
DURATION_T : 'duration' ;
LIST_T : 'list' ;

// Named so the compiler's item-by-item driver can test for them.
LBRACE : '{' ;
RBRACE : '}' ;
SEMI : ';' ;

// """...""" may span lines (an inline PEM key); "..." may not, so a missing quote stays local.
TSTRING : '"""' .*? '"""' ;
STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;

// A bare word: no blanks, quotes, brackets, braces, parentheses, commas, `;` or `#`, except
// inside `${...}`. It cannot end with `=` or `:` so that `name=value` and `name: type` split.
WORD : (WORD_CHAR | INTERP) ((WORD_CHAR | INTERP | '=' | ':')* (WORD_CHAR | INTERP))? ;
fragment INTERP : '${' ~[}\r\n]* '}' ;
fragment WORD_CHAR : ~[ \t\r\n"'{}[\](),;#=:<>] ;

NEWLINE : '\r'? '\n' ;
WS : [ \t]+ -> skip ;
COMMENT : '#' ~[\r\n]* -> skip ;
