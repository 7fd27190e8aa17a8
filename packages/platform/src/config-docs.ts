import { z } from 'zod';

/** One variable of an app's config schema, as its README's env table shows it. */
export interface EnvVariableDoc {
  name: string;
  /** No default and not optional: the app refuses to start without it. */
  required: boolean;
  /** The default as written in the env (lists comma-joined); undefined when there is none. */
  defaultValue: string | undefined;
  description: string | undefined;
}

// Wrappers whose inner schema holds the rest of a variable's declaration.
type Wrapper = { type: string; innerType?: z.ZodType; in?: z.ZodType; defaultValue?: unknown };

function formatDefault(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Read each variable's default, description and whether it is required, from outside in. */
export function describeEnv(schema: z.ZodObject): EnvVariableDoc[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    let description: string | undefined;
    let shownDefault: string | undefined;
    let defaultValue: string | undefined;
    let optional = false;
    for (let layer: z.ZodType | undefined = field as z.ZodType; layer;) {
      const meta = z.globalRegistry.get(layer);
      description ??= meta?.description;
      shownDefault ??= meta?.envDefault;
      const def = layer._zod.def as unknown as Wrapper;
      if (def.type === 'default' && defaultValue === undefined) defaultValue = formatDefault(def.defaultValue);
      if (def.type === 'optional') optional = true;
      layer = def.type === 'pipe' ? def.in : def.innerType;
    }
    defaultValue = shownDefault ?? defaultValue;
    return { name, required: defaultValue === undefined && !optional, defaultValue, description };
  });
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n\s*/g, ' ');

/** The Markdown env table of a config schema: variable, default (or required), description. */
export function renderEnvTable(schema: z.ZodObject): string {
  const rows = describeEnv(schema).map((variable) => {
    const fallback = variable.required ? '**required**' : variable.defaultValue === undefined ? 'unset' : `\`${variable.defaultValue}\``;
    return `| \`${variable.name}\` | ${cell(fallback)} | ${cell(variable.description ?? '')} |`;
  });
  return ['| variable | default | description |', '| --- | --- | --- |', ...rows].join('\n');
}
