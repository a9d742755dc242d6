// Placeholder: the language issue replaces this with the whole language.
grammar AsmPlan;
file : EOF ;
WS : [ \t\r\n]+ -> skip ;
