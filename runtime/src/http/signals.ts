// Request signals (Django's request_started / request_finished): sent around every request the site handles, for
// per-request bookkeeping (resetting state, counting, closing what a request opened). Nothing is sent, and nothing
// costs, while no receiver is connected.
import { Signal } from '../dispatch/signal.js';
import type { Request, RequestSite } from './request.js';
import type { Response } from './response.js';

export interface RequestStartedEvent { sender: RequestSite; request: Request }
/** `response` is what the site answered (an error page when the view failed); its body may still be streaming. */
export interface RequestFinishedEvent { sender: RequestSite; request: Request; response: Response }

export const requestStarted = new Signal<RequestStartedEvent>();
export const requestFinished = new Signal<RequestFinishedEvent>();
