export * from './price.ts';
export * from './format-micros.ts';
export * from './tokenizer-family.ts';
export * from './estimate-tokens.ts';
export * from './budget.ts';
export * from './budget-period.ts';
export * from './usd-per-token.ts';
