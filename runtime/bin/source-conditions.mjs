// A module resolve hook that adds the 'paddock-source' export condition, so @paddock/runtime resolves to src/*.ts everywhere in this process.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('paddock-source') ? context.conditions : [...context.conditions, 'paddock-source'];
  return nextResolve(specifier, { ...context, conditions });
}
