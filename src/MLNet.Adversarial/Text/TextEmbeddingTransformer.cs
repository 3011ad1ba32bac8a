using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Adversarial.Text;

/// <summary>
/// Adds a fixed-size, L2-normalised float vector column holding the <see cref="TextEncoder"/> embedding of a text
/// column. Built by <see cref="TextEmbeddingEstimator"/> (<c>mlContext.Adversarial().Transforms.EmbedText(...)</c>).
/// Rows are embedded lazily, one at a time, as a cursor reaches them; for bulk work call
/// <see cref="TextEncoder.Encode(IReadOnlyList{string})"/>, which batches. With the built-in MiniLM (default sequence
/// length) the transform is a chain of stock ML.NET transformers (tokens from a registered <c>CustomMapping</c>, the
/// encoder with pooling through <c>ApplyOnnxModel</c>), so <c>mlContext.Model.Save/Load</c> persist it — the saved
/// zip holds the 90 MB encoder; call <c>mlContext.Adversarial()</c> before loading. With any other encoder
/// <c>Save</c> throws <see cref="NotSupportedException"/> (see <see cref="IsPersistable"/>). Disposing the
/// transformer disposes the encoder it owns.
/// </summary>
public sealed class TextEmbeddingTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _mapping;
    private readonly bool _ownsEncoder;

    internal TextEmbeddingTransformer(MLContext mlContext, TextEncoder encoder, bool ownsEncoder, string outputColumnName, string inputColumnName)
    {
        Encoder = encoder;
        _ownsEncoder = ownsEncoder;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        if (encoder.IsPersistableMiniLM)
        {
            _mapping = TextEmbeddingPipeline.Build(mlContext, encoder, outputColumnName, inputColumnName);
            return;
        }
        var input = SchemaDefinition.Create(typeof(TextRow));
        input[0].ColumnName = inputColumnName;
        var output = SchemaDefinition.Create(typeof(EmbeddingRow));
        output[0].ColumnName = outputColumnName;
        output[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, encoder.Dimension);
        int dimension = encoder.Dimension;
        var estimator = mlContext.Transforms.CustomMapping<TextRow, EmbeddingRow>(
            (row, result) => result.Embedding = row.Text is null ? new float[dimension] : encoder.Encode(row.Text),
            contractName: null, input, output);
        _mapping = estimator.Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<TextRow>(), input));
    }

    /// <summary>The encoder.</summary>
    public TextEncoder Encoder { get; }

    /// <summary>The text column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The vector column written.</summary>
    public string OutputColumnName { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        TextEmbeddingEstimator.CheckInput(inputSchema, InputColumnName);
        return _mapping.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        TextEmbeddingEstimator.CheckInput(inputSchema, InputColumnName);
        return _mapping.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TextEmbeddingEstimator.CheckInput(input.Schema, InputColumnName);
        return _mapping.Transform(input);
    }

    /// <summary>Whether <c>mlContext.Model.Save</c> can save this transform (the built-in MiniLM with its default sequence length).</summary>
    public bool IsPersistable => Encoder.IsPersistableMiniLM;

    /// <summary>Saves the stock chain that does the embedding; throws <see cref="NotSupportedException"/> unless <see cref="IsPersistable"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        if (!IsPersistable)
            throw new NotSupportedException(
                $"The text embedding of column '{InputColumnName}' cannot be saved with mlContext.Model.Save: it runs a custom ONNX encoder that ML.NET cannot rebuild. " +
                "Use the built-in MiniLM (with the default MaxSequenceLength) to save it, or save the rest of the pipeline and refit EmbedText after loading.");
        _mapping.Save(ctx);
    }

    /// <summary>Disposes the encoder when this transformer created it, and the ONNX Runtime session of the saved form.</summary>
    public void Dispose()
    {
        if (_ownsEncoder) Encoder.Dispose();
        (_mapping as IDisposable)?.Dispose();
    }

    private sealed class TextRow
    {
        public string? Text { get; set; }
    }

    internal sealed class EmbeddingRow
    {
        [VectorType]
        public float[] Embedding { get; set; } = [];
    }
}
