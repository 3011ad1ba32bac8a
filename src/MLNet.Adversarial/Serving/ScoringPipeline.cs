using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Serving;

/// <summary>
/// Builds the serving transformer from stock ML.NET parts only — id conversion (<c>MapKeyToValue</c>,
/// <c>ConvertType</c>), <c>ApplyOnnxModel</c> on the exported scorer, a registered <c>CustomMapping</c> and
/// <c>DropColumns</c> — so that the result saves and loads with <c>mlContext.Model.Save/Load</c>. The ONNX model
/// it embeds is the public pairwise scorer with its inputs and outputs renamed to private column names, so the
/// user's own columns are never overwritten.
/// </summary>
internal static class ScoringPipeline
{
    private const string UserInput = "__mlnet_adv_user";
    private const string ItemInput = "__mlnet_adv_item";
    private const string UserValue = "__mlnet_adv_user_value";
    private const string ItemValue = "__mlnet_adv_item_value";

    /// <summary>
    /// Fits the chain on <paramref name="data"/>'s schema. <paramref name="servingScorer"/> is the pairwise scorer
    /// exported with <see cref="OnnxIdInputShape.Column"/> inputs, as ML.NET feeds them.
    /// </summary>
    /// <remarks>The ONNX model is served from a temporary file, returned in <paramref name="modelFile"/> (see <see cref="OnnxModelTempFile"/>).</remarks>
    public static ITransformer Build(MLContext mlContext, IDataView data, byte[] servingScorer, string userColumn, string itemColumn,
        IdKind userKind, IdKind itemKind, string scoreColumn, int? gpuDeviceId, bool fallbackToCpu, out string modelFile)
    {
        var renamed = OnnxGraphRenamer.Rename(servingScorer, new Dictionary<string, string>
        {
            [OnnxContract.UserInput] = UserInput,
            [OnnxContract.ItemInput] = ItemInput,
            [OnnxContract.ScoreOutput] = OnnxScoreColumnMapping.InputColumn,
        });

        return OnnxModelTempFile.FitWith(renamed, "scorer", file => Fit(mlContext, data, file, userColumn, itemColumn, userKind, itemKind, scoreColumn, gpuDeviceId, fallbackToCpu), out modelFile);
    }

    private static ITransformer Fit(MLContext mlContext, IDataView data, string modelFile, string userColumn, string itemColumn,
        IdKind userKind, IdKind itemKind, string scoreColumn, int? gpuDeviceId, bool fallbackToCpu)
    {
        var schema = data.Schema;
        var temporaries = new List<string> { UserInput, ItemInput, OnnxScoreColumnMapping.InputColumn, OnnxScoreColumnMapping.OutputColumn };
        IEstimator<ITransformer> pipeline = IdConversion(mlContext, schema[userColumn], UserInput, UserValue, userKind, temporaries);
        pipeline = pipeline.Append(IdConversion(mlContext, schema[itemColumn], ItemInput, ItemValue, itemKind, temporaries));
        pipeline = pipeline
            .Append(mlContext.Transforms.ApplyOnnxModel([OnnxScoreColumnMapping.InputColumn], [UserInput, ItemInput], modelFile, gpuDeviceId, fallbackToCpu))
            .Append(mlContext.Transforms.CustomMapping<OnnxScoreColumnMapping.Input, OnnxScoreColumnMapping.Output>(OnnxScoreColumnMapping.Map, OnnxScoreColumnMapping.ContractName))
            .Append(mlContext.Transforms.CopyColumns(scoreColumn, OnnxScoreColumnMapping.OutputColumn))
            .Append(mlContext.Transforms.DropColumns(temporaries.Distinct().ToArray()));
        return pipeline.Fit(data);
    }

    /// <summary>Converts an id column of any supported type to the scorer's input type (int64 or text).</summary>
    private static IEstimator<ITransformer> IdConversion(MLContext ml, DataViewSchema.Column column, string output, string valueColumn, IdKind kind, List<string> temporaries)
    {
        // Key columns are served as the text of their key values (see KeyIndexedModel), so unseen ids need no parsing.
        if (column.Type is KeyDataViewType)
        {
            temporaries.Add(valueColumn);
            var values = ml.Transforms.Conversion.MapKeyToValue(valueColumn, column.Name);
            return column.Annotations.Schema["KeyValues"].Type.GetItemTypeOrSelf() is TextDataViewType
                ? values.Append(ml.Transforms.CopyColumns(output, valueColumn))
                : values.Append(ml.Transforms.Conversion.ConvertType(output, valueColumn, DataKind.String));
        }
        if (column.Type is not TextDataViewType && kind == IdKind.Int64 && !IsFloatingPoint(column.Type))
            return ml.Transforms.Conversion.ConvertType(output, column.Name, DataKind.Int64);
        if (column.Type is TextDataViewType && kind == IdKind.String)
            return ml.Transforms.CopyColumns(output, column.Name);
        if (IsFloatingPoint(column.Type))
        {
            // ML.NET converts floating point to text but not to integers; whole-number ids print without a fraction.
            temporaries.Add(valueColumn);
            return ml.Transforms.Conversion.ConvertType(valueColumn, column.Name, DataKind.String)
                .Append(ml.Transforms.Conversion.ConvertType(output, valueColumn, DataKind.Int64));
        }
        return ml.Transforms.Conversion.ConvertType(output, column.Name, kind == IdKind.Int64 ? DataKind.Int64 : DataKind.String);
    }

    private static DataViewType GetItemTypeOrSelf(this DataViewType type) => type is VectorDataViewType v ? v.ItemType : type;

    private static bool IsFloatingPoint(DataViewType type) => type == NumberDataViewType.Single || type == NumberDataViewType.Double;
}
