import { z } from 'zod';
import { problemResponses } from '../../../schemas/common.ts';
import { SettingsChangeSchema, SettingsVersionListSchema, SettingsVersionParamsSchema, SettingsVersionSchema, SettingsVersionsQuerySchema } from '../../../schemas/settings.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createSettingsService } from './settings-service.ts';

/** The register settings and their versions. */
export const settingsModule: Module = async (app, { db, clock }) => {
  const settings = createSettingsService({ db, clock });
  const tags = ['settings'];
  const access = ['registrar'] as const;

  app.get('/v1/admin/settings', {
    config: { access },
    schema: { tags, summary: 'The register settings in force: application thresholds and the grandfathering start', response: { 200: SettingsVersionSchema, ...problemResponses } },
    handler: async () => settings.current(),
  });
  app.put('/v1/admin/settings', {
    config: { access },
    schema: {
      tags,
      summary: 'Change the settings: adds a version (the same values again change nothing)',
      description:
        'Application thresholds apply to applications submitted from now on. A new grandfathering start moves the obligations start of every grandfathered member (never before their import); assessments already made are never changed. The start cannot move earlier to a date already passed.',
      body: SettingsChangeSchema,
      response: { 200: SettingsVersionSchema.extend({ changed: z.boolean().describe('False when the values were already in force') }), ...problemResponses },
    },
    handler: async (req) => settings.change(userContext(req), req.body),
  });
  app.get('/v1/admin/settings/versions', {
    config: { access },
    schema: { tags, summary: 'Every version of the settings, newest first', querystring: SettingsVersionsQuerySchema, response: { 200: SettingsVersionListSchema, ...problemResponses } },
    handler: async (req) => settings.versions(req.query),
  });
  app.get('/v1/admin/settings/versions/:version', {
    config: { access },
    schema: { tags, summary: 'One version: the values a past decision was made with', params: SettingsVersionParamsSchema, response: { 200: SettingsVersionSchema, ...problemResponses } },
    handler: async (req) => settings.version(req.params.version),
  });
};
