// Schemas of a site's log lines.
import { Type } from 'typebox';

export const LogLineOut = Type.Object({ at: Type.String(), source: Type.String(), line: Type.String(), replica: Type.Optional(Type.String()) });

