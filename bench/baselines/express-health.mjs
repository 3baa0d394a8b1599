// Baseline for scenario 1: a bare Express 5 handler.
import express from 'express';

const app = express();
app.get('/health', (_req, res) => res.json({ status: 'ok' }));
app.listen(Number(process.env.PORT), '127.0.0.1');
