using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Text;

/// <summary>
/// The built-in MiniLM text embedding as a chain of stock ML.NET transformers — the text copied to a private column,
/// <see cref="MiniLMTokenMapping"/> (a registered <c>CustomMapping</c>), <c>ApplyOnnxModel</c> on the encoder wrapped
/// by <see cref="PooledEncoderGraph"/>, the embedding copied to the output column, the private columns dropped — so
/// that <c>mlContext.Model.Save/Load</c> persist it, as they do the recommenders.
/// </summary>
internal static class TextEmbeddingPipeline
{
    // One wrapped encoder file per process (90 MB, the same for every transform), deleted when the process exits
    // (OnnxModelTempFile deletes the files it wrote).
    private static readonly Lazy<string> s_wrappedMiniLMFile = new(() =>
    {
        using var encoder = TextEncoder.CreateMiniLM();
        var wrapped = PooledEncoderGraph.Wrap(MiniLMResources.ModelBytes(), MiniLMResources.MaxSequenceLength, encoder.Dimension, encoder.HiddenStatesOutput);
        return OnnxModelTempFile.Write(wrapped, "text");
    });

    /// <summary>
    /// Fits the chain for <paramref name="encoder"/> (which must be the persistable MiniLM). The wrapped encoder is
    /// served from one temporary file shared by every chain of the process (ML.NET reads it again when a chain is saved).
    /// </summary>
    public static ITransformer Build(MLContext mlContext, TextEncoder encoder, string outputColumnName, string inputColumnName)
    {
        if (!encoder.IsPersistableMiniLM) throw new ArgumentException("Only the built-in MiniLM encoder can be rebuilt from stock parts.", nameof(encoder));
        var file = s_wrappedMiniLMFile.Value;
        var (gpu, fallback) = encoder.Device;
        var chain = mlContext.Transforms.CopyColumns(MiniLMTokenMapping.TextColumn, inputColumnName)
            .Append(mlContext.Transforms.CustomMapping<MiniLMTokenMapping.Input, MiniLMTokenMapping.Output>(MiniLMTokenMapping.Map, MiniLMTokenMapping.ContractName))
            .Append(mlContext.Transforms.ApplyOnnxModel([PooledEncoderGraph.Embedding], [PooledEncoderGraph.TokenIds, PooledEncoderGraph.TokenMask], file, gpu, fallback))
            .Append(mlContext.Transforms.CopyColumns(outputColumnName, PooledEncoderGraph.Embedding))
            .Append(mlContext.Transforms.DropColumns(MiniLMTokenMapping.TextColumn, PooledEncoderGraph.TokenIds, PooledEncoderGraph.TokenMask, PooledEncoderGraph.Embedding));
        // Fitting reads only the schema: an empty view with the text column is enough.
        var textOnly = SchemaDefinition.Create(typeof(TextRow));
        textOnly[0].ColumnName = inputColumnName;
        return chain.Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<TextRow>(), textOnly));
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
