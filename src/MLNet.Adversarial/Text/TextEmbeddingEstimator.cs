using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Text;

/// <summary>
/// Estimator for <see cref="TextEmbeddingTransformer"/>: embeds a text column with a pretrained transformer encoder
/// (all-MiniLM-L6-v2 unless an encoder or options say otherwise). Nothing is learned; <see cref="Fit"/> loads the
/// encoder (or reuses the one given) and checks the input column.
/// </summary>
public sealed class TextEmbeddingEstimator : IEstimator<TextEmbeddingTransformer>
{
    private readonly MLContext _mlContext;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly TextEncoder.Options? _options;
    private readonly TextEncoder? _encoder;

    internal TextEmbeddingEstimator(MLContext mlContext, string outputColumnName, string inputColumnName, TextEncoder.Options? options, TextEncoder? encoder)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        _mlContext = mlContext;
        _outputColumnName = outputColumnName;
        _inputColumnName = inputColumnName;
        _options = options;
        _encoder = encoder;
    }

    /// <summary>
    /// Loads the encoder — the one given, else the model in the options, else MiniLM — and returns the transformer.
    /// The transformer owns (and disposes) an encoder it loaded, never one passed in.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text.</exception>
    public TextEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema, _inputColumnName);
        if (_encoder is not null) return new TextEmbeddingTransformer(_mlContext, _encoder, ownsEncoder: false, _outputColumnName, _inputColumnName);
        var encoder = _options is { ModelBytes: not null } or { ModelPath: not null } ? new TextEncoder(_options) : TextEncoder.CreateMiniLM(_options);
        try
        {
            return new TextEmbeddingTransformer(_mlContext, encoder, ownsEncoder: true, _outputColumnName, _inputColumnName);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The input schema plus the output vector column. Its size is known only once the encoder is loaded, so before
    /// <see cref="Fit"/> the shape says "vector of unknown size" (unless an encoder was passed in).
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaShape.Column? column = null;
        foreach (var c in inputSchema) if (c.Name == _inputColumnName) column = c;
        if (column is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"EmbedText: input column '{_inputColumnName}' was not found.");
        if (column.Value.Kind != SchemaShape.Column.VectorKind.Scalar || column.Value.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"EmbedText: input column '{_inputColumnName}' must be text (a scalar string); it is {column.Value.ItemType}{(column.Value.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}.");
        // SchemaShape.Column has no public constructor: let a shape-only CustomMapping add the column.
        var output = SchemaDefinition.Create(typeof(TextEmbeddingTransformer.EmbeddingRow));
        output[0].ColumnName = _outputColumnName;
        output[0].ColumnType = _encoder is null
            ? new VectorDataViewType(NumberDataViewType.Single)
            : new VectorDataViewType(NumberDataViewType.Single, _encoder.Dimension);
        return _mlContext.Transforms
            .CustomMapping<NoColumns, TextEmbeddingTransformer.EmbeddingRow>((_, _) => { }, contractName: null, outputSchemaDefinition: output)
            .GetOutputSchema(inputSchema);
    }

    internal static void CheckInput(DataViewSchema schema, string inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var column = schema.GetColumnOrNull(inputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"EmbedText: input column '{inputColumnName}' was not found.");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(schema), $"EmbedText: input column '{inputColumnName}' must be text (a scalar string); it is {column.Type}.");
    }
}
