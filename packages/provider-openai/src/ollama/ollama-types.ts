/** What Ollama says about a model's build, from `details` in `/api/tags`, `/api/ps` and `/api/show`. */
export interface OllamaModelDetails {
  /** File format, `gguf` today. */
  format: string | undefined;
  /** Model family, e.g. `llama`, `qwen2`. */
  family: string | undefined;
  /** Human-readable size, e.g. `8.0B`. */
  parameterSize: string | undefined;
  /** Quantisation, e.g. `Q4_K_M`. */
  quantizationLevel: string | undefined;
}

/** A model on the Ollama host's disk (`GET /api/tags`). */
export interface OllamaInstalledModel {
  /** The name to call it by, with its tag: `llama3.2:latest`. */
  name: string;
  sizeBytes: number | undefined;
  digest: string | undefined;
  /** When the model was last pulled or changed, as Ollama wrote it (ISO 8601). */
  modifiedAt: string | undefined;
  details: OllamaModelDetails;
}

/** A model loaded in memory right now (`GET /api/ps`). */
export interface OllamaLoadedModel extends Omit<OllamaInstalledModel, 'modifiedAt'> {
  /** When Ollama will unload it unless it is used again (ISO 8601). */
  expiresAt: string | undefined;
  /** How much of it sits in GPU memory; less than `sizeBytes` means it partly runs on the CPU. */
  sizeVramBytes: number | undefined;
}

/** One progress line of `POST /api/pull`. */
export interface OllamaPullProgress {
  /** `pulling manifest`, `pulling <digest>`, `verifying sha256 digest`, `writing manifest`, `success`. */
  status: string;
  /** The layer being downloaded, on download lines. */
  digest?: string | undefined;
  /** Bytes of that layer. */
  total?: number | undefined;
  /** Bytes of that layer downloaded so far (absent until some arrived). */
  completed?: number | undefined;
}

/** What `POST /api/show` says that Switchboard uses. */
export interface OllamaModelInfo {
  name: string;
  /** `general.architecture` from `model_info`, e.g. `llama`. */
  architecture: string | undefined;
  /** `<architecture>.context_length`: the window the model was trained for. */
  contextLength: number | undefined;
  /**
   * `num_ctx` from the model's parameters, when its Modelfile sets one. Ollama serves that window,
   * not the trained one, so it wins when present.
   */
  configuredContextLength: number | undefined;
  /** `completion`, `tools`, `vision`, `insert`, ... (newer Ollama versions only). */
  capabilities: string[];
  details: OllamaModelDetails;
}
