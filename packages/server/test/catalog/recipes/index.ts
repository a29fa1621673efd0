/**
 * The catalog walk's recipes, keyed by the auth mode as Nango's catalog writes it. A mode missing here is counted
 * "not supported: <mode>"; to add one, write its recipe beside these (see Recipe.ts) and name it here.
 */
import { apiKeyRecipe } from './apiKey';
import { basicRecipe } from './basic';
import { billRecipe } from './bill';
import { clientCredentialsRecipe } from './clientCredentials';
import { jwtRecipe } from './jwt';
import { mcpOAuth2Recipe } from './mcpOAuth2';
import { noneRecipe } from './none';
import { oauthFlowRecipe } from './oauthFlowRecipe';
import type { Recipe } from './Recipe';
import { signatureRecipe } from './signature';
import { tbaRecipe } from './tba';
import { twoStepRecipe } from './twoStep';

export const RECIPES: Readonly<Record<string, Recipe>> = {
  OAUTH2: oauthFlowRecipe('OAUTH2', 'access_token'),
  OAUTH1: oauthFlowRecipe('OAUTH1', 'oauth_token'),
  API_KEY: apiKeyRecipe,
  BASIC: basicRecipe,
  NONE: noneRecipe,
  TBA: tbaRecipe,
  OAUTH2_CC: clientCredentialsRecipe,
  SIGNATURE: signatureRecipe,
  BILL: billRecipe,
  TWO_STEP: twoStepRecipe,
  JWT: jwtRecipe,
  MCP_OAUTH2: mcpOAuth2Recipe,
  MCP_OAUTH2_GENERIC: mcpOAuth2Recipe,
};
