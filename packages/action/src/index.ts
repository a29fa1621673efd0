/**
 * @nangohq/action: the base class of every action file.
 *
 *   // integrations/slack/notify.action.ts
 *   import { NangoAction } from '@nangohq/action';
 *   export default class Notify extends NangoAction<{ msg: string }> {
 *     override async executeAction(input: { msg: string }) {
 *       const { additionalConfig } = this.getCurrentConnection();
 *       return this.httpRequest('chat.postMessage', 'POST', undefined, { channel: additionalConfig.channelId, text: input.msg });
 *     }
 *   }
 */
export type { NangoConnection, NangoConnectionPublic, StoredCredentials, AuthMode } from '@nangohq/protocol';
export type { HttpMethod, HttpParams, HttpResponse } from './http';
export {
  ACTION_CONTEXT,
  type ActionContext,
  type HostCall,
  type HostCallArgs,
  type IntegrationInfo,
  type SyncContext,
  type SyncCall,
} from './context';
export { NangoAction } from './NangoAction';
export { NangoSync, type SyncRecord } from './NangoSync';
export type { PaginateConfig, PaginateRequest } from './paginate';
export type { ActionConnection, LegacyCredentialNames } from './withCredentialAliases';
export type { ActionLogger, NangoActionLogger } from './withWinstonMethods';
export { actionFromFunction } from './fromFunction';
export { invokeFromFunction, type InvokeTrigger } from './invokeFromFunction';
export { onEventFromFunction, ON_EVENT_TYPES, type OnEventType } from './onEventFromFunction';
export {
  ActionError,
  FunctionRuntime,
  type FunctionDefinition,
  type FunctionSchema,
  type ProxyConfiguration,
  type ProxyResponse,
} from './functionRuntime';
export { withRetries, askedWait, type RetryPolicy, type RetryHooks } from './functionRetries';
export { syncFromFunction, type DeployedSyncInstance, type SyncWebhookInput } from './fromSyncFunction';
export { SyncRuntime, type SyncFunctionDefinition } from './syncRuntime';
