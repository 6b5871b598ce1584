import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { syncUploadedFile, uploadPath, UPLOAD_SOURCE_NAME } from '../../knowledge/index.js';
import { problemSchema } from '../../protocol/index.js';
import { tenantOf } from '../auth.js';
import type { AppDeps } from '../create-app.js';

/** Largest uploaded knowledge file (the URL and folder sources read at most 20 MB too). */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const security = [{ apiKey: [] }];
const rejectedSchema = problemSchema.extend({ reason: z.string().optional() }).meta({ id: 'KnowledgeFileProblem' });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 413: problemSchema, 422: rejectedSchema };

const uploadQuery = z.object({
  name: z
    .string()
    .min(1)
    .max(255)
    .describe('file name with its extension (.md, .html, .pdf, .docx, .csv, .xlsx, .txt); it picks the loader'),
});
const uploadResponse = z
  .object({
    sourceId: z.string().uuid(),
    path: z.string(),
    outcome: z.enum(['added', 'changed', 'unchanged']),
    version: z.number().int().nullable(),
    chunksIndexed: z.number().int(),
    chunksReused: z.number().int(),
    faq: z.object({ added: z.array(z.string()), changed: z.array(z.string()), removed: z.array(z.string()) }),
    problems: z.array(z.object({ code: z.string(), message: z.string(), row: z.number().int().optional() })),
    conflicts: z.number().int(),
  })
  .meta({ id: 'KnowledgeUpload' });
const fileSchema = z
  .object({
    path: z.string(),
    status: z.string(),
    version: z.number().int().nullable(),
    failureCode: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'KnowledgeFile' });

/**
 * Uploaded knowledge files: `POST /v1/knowledge/files?name=退货政策.pdf` with the file as the raw
 * body (any content type; the name's extension picks the loader), scope `kb:write`. The file goes
 * through the same versioned sync as folder and URL sources (a new version only when its content
 * changed; the previous version stays active when the new one cannot be loaded), and the tenant's
 * running runtimes reload. Raw bodies rather than multipart: one file per request keeps the size
 * limit and the error exact, and needs no multipart parser. Registered inside the tenant API
 * zone, which authenticates before the body is read: a caller without a key is refused without
 * the server reading its upload.
 */
export async function knowledgeRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  options: { maxBytes?: number } = {},
): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  const db = deps.database.db;
  // In this scope every body is the file's bytes, whatever its content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));

  api.post('/knowledge/files', {
    bodyLimit: maxBytes,
    config: { scopes: ['kb:write'] },
    schema: {
      operationId: 'uploadKnowledgeFile',
      tags: ['knowledge'],
      summary: 'Upload a knowledge file (raw body) into the tenant’s versioned knowledge',
      security,
      querystring: uploadQuery,
      response: { 200: uploadResponse, 201: uploadResponse, ...errors },
    },
    handler: async (request, reply) => {
      const tenantId = tenantOf(request);
      const path = uploadPath(request.query.name);
      if (path === undefined) throw new KefuError(ErrorCodes.validation, 'name must be a file name', { status: 400 });
      const body = request.body;
      const bytes = Buffer.isBuffer(body)
        ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
        : new Uint8Array(0);
      const result = await syncUploadedFile(db, tenantId, path, bytes);
      if (result.document.outcome === 'failed') {
        throw new KefuError(
          ErrorCodes.knowledgeFileRejected,
          `${path} could not be loaded: ${result.document.message ?? result.document.code}`,
          {
            status: 422,
            details: { reason: result.document.code ?? 'unreadable_file' },
          },
        );
      }
      if (result.document.outcome !== 'unchanged') {
        // Running servers notice the newer updated_at and reload the tenant's knowledge.
        await db.updateTable('tenants').set({ updated_at: new Date() }).where('id', '=', tenantId).execute();
      }
      const stored = await db
        .selectFrom('knowledge_documents as document')
        .leftJoin('knowledge_document_versions as version', 'version.id', 'document.active_version_id')
        .select(['version.version'])
        .where('document.tenant_id', '=', tenantId)
        .where('document.source_id', '=', result.sourceId)
        .where('document.path', '=', result.path)
        .executeTakeFirst();
      const { report } = result;
      reply.code(result.document.outcome === 'added' ? 201 : 200);
      return {
        sourceId: result.sourceId,
        path: result.path,
        outcome: result.document.outcome,
        version: stored?.version ?? null,
        chunksIndexed: report.chunksIndexed,
        chunksReused: report.chunksReused,
        faq: report.faq,
        problems: report.problems
          .filter((problem) => problem.path === result.path)
          .map((problem) => ({
            code: problem.code,
            message: problem.message,
            ...(typeof problem.row === 'number' ? { row: problem.row } : {}),
          })),
        conflicts: report.conflicts,
      };
    },
  });

  api.get('/knowledge/files', {
    config: { scopes: ['kb:write'] },
    schema: {
      operationId: 'listKnowledgeFiles',
      tags: ['knowledge'],
      summary: 'The tenant’s uploaded knowledge files and their active versions',
      security,
      response: { 200: z.object({ files: z.array(fileSchema) }), ...errors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const rows = await db
        .selectFrom('knowledge_documents as document')
        .innerJoin('knowledge_sources as source', 'source.id', 'document.source_id')
        .leftJoin('knowledge_document_versions as version', 'version.id', 'document.active_version_id')
        .select(['document.path', 'document.status', 'document.failure_code', 'document.updated_at', 'version.version'])
        .where('document.tenant_id', '=', tenantId)
        .where('source.tenant_id', '=', tenantId)
        .where('source.kind', '=', 'upload')
        .where('source.name', '=', UPLOAD_SOURCE_NAME)
        .where('document.removed_at', 'is', null)
        .orderBy('document.path')
        .execute();
      return {
        files: rows.map((row) => ({
          path: row.path,
          status: row.status,
          version: row.version ?? null,
          failureCode: row.failure_code,
          updatedAt: new Date(row.updated_at).toISOString(),
        })),
      };
    },
  });
}
