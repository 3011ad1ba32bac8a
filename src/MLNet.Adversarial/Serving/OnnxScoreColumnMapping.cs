using System.ComponentModel;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNet.Adversarial.Serving;

/// <summary>
/// Turns the ONNX scorer's one-element score vector into a scalar column. It is a <c>CustomMapping</c> with a
/// registered factory, so <c>mlContext.Model.Save/Load</c> handle it; loading needs this assembly registered with
/// <c>mlContext.ComponentCatalog.RegisterAssembly</c>, which <c>mlContext.Adversarial()</c> does.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OnnxScoreColumnMapping : CustomMappingFactory<OnnxScoreColumnMapping.Input, OnnxScoreColumnMapping.Output>
{
    /// <summary>The contract name saved in model files.</summary>
    public const string ContractName = "MLNet.Adversarial.OnnxScoreToScalar";

    internal const string InputColumn = "__mlnet_adv_score";
    internal const string OutputColumn = "__mlnet_adv_score_scalar";

    /// <summary>The ONNX output row.</summary>
    public sealed class Input
    {
        /// <summary>The score vector (one element per row fed).</summary>
        [ColumnName(InputColumn), VectorType]
        public float[] Score { get; set; } = [];
    }

    /// <summary>The scalar score.</summary>
    public sealed class Output
    {
        /// <summary>The score.</summary>
        [ColumnName(OutputColumn)]
        public float Score { get; set; }
    }

    /// <summary>The mapping itself.</summary>
    public static void Map(Input input, Output output) => output.Score = input.Score.Length > 0 ? input.Score[0] : float.NaN;

    /// <inheritdoc />
    public override Action<Input, Output> GetMapping() => Map;
}
