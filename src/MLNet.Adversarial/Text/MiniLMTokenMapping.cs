using System.ComponentModel;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNet.Adversarial.Text;

/// <summary>
/// Tokenises a text column for the persistable MiniLM embedding pipeline: the uncased MiniLM WordPiece ids, [CLS]
/// and [SEP] included, padded with zeros to <see cref="MiniLMResources.MaxSequenceLength"/>, and the matching mask.
/// A <c>CustomMapping</c> with a registered factory, so <c>mlContext.Model.Save/Load</c> handle it (loading needs
/// <c>mlContext.Adversarial()</c> called first, which registers this assembly).
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MiniLMTokenMapping : CustomMappingFactory<MiniLMTokenMapping.Input, MiniLMTokenMapping.Output>
{
    /// <summary>The contract name saved in model files.</summary>
    public const string ContractName = "MLNet.Adversarial.MiniLMTokens";

    internal const string TextColumn = "__mlnet_adv_text";
    private const int Length = MiniLMResources.MaxSequenceLength;

    /// <summary>The text to tokenise.</summary>
    public sealed class Input
    {
        /// <summary>The text (ML.NET gives an empty string for a missing value).</summary>
        [ColumnName(TextColumn)]
        public string Text { get; set; } = "";
    }

    /// <summary>The padded token ids and mask, as the wrapped encoder takes them.</summary>
    public sealed class Output
    {
        /// <summary>Token ids, zero-padded.</summary>
        [ColumnName(PooledEncoderGraph.TokenIds), VectorType(Length)]
        public long[] TokenIds { get; set; } = new long[Length];

        /// <summary>1 for each real token, then zeros.</summary>
        [ColumnName(PooledEncoderGraph.TokenMask), VectorType(Length)]
        public long[] TokenMask { get; set; } = new long[Length];
    }

    /// <summary>The mapping itself.</summary>
    public static void Map(Input input, Output output)
    {
        var tokens = MiniLMResources.Tokenize(MiniLMResources.Tokenizer, input.Text ?? "", Length);
        var ids = new long[Length];
        var mask = new long[Length];
        for (int t = 0; t < tokens.Length; t++)
        {
            ids[t] = tokens[t];
            mask[t] = 1;
        }
        output.TokenIds = ids;
        output.TokenMask = mask;
    }

    /// <inheritdoc />
    public override Action<Input, Output> GetMapping() => Map;
}
