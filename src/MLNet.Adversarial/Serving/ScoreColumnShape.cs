using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Serving;

/// <summary>
/// Adds a scalar Single score column to a <see cref="SchemaShape"/>. ML.NET keeps <c>SchemaShape.Column</c>'s
/// constructor internal, so the column is taken from stock estimators' output shapes instead.
/// </summary>
internal static class ScoreColumnShape
{
    /// <summary>The column named <paramref name="name"/>, or null (ML.NET's own lookup is internal).</summary>
    public static SchemaShape.Column? Find(this SchemaShape schema, string name)
    {
        foreach (var column in schema) if (column.Name == name) return column;
        return null;
    }

    public static SchemaShape Append(MLContext mlContext, SchemaShape input, string scoreColumn)
    {
        var withScalar = mlContext.Transforms
            .CustomMapping<NoColumns, OnnxScoreColumnMapping.Output>((_, _) => { }, contractName: null)
            .GetOutputSchema(input);
        var named = mlContext.Transforms.CopyColumns(scoreColumn, OnnxScoreColumnMapping.OutputColumn).GetOutputSchema(withScalar);
        return new SchemaShape(input.Where(c => c.Name != scoreColumn).Append(named.Find(scoreColumn)!.Value));
    }

    /// <summary>A recommender trainer's output shape: checks its id and rating columns, then adds its score column.</summary>
    public static SchemaShape AppendForTrainer(MLContext mlContext, SchemaShape inputSchema, string userColumn, string itemColumn, string? ratingColumn, string scoreColumn)
    {
        CheckIdColumn(inputSchema, userColumn, "User");
        CheckIdColumn(inputSchema, itemColumn, "Item");
        if (ratingColumn is not null)
        {
            var rating = inputSchema.Find(ratingColumn) ??
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Rating column '{ratingColumn}' not found in the input schema.");
            if (rating.Kind != SchemaShape.Column.VectorKind.Scalar || (rating.ItemType != NumberDataViewType.Single && rating.ItemType != NumberDataViewType.Double))
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Rating column '{ratingColumn}' has type {rating.ItemType}; expected a scalar Single or Double.");
        }
        return Append(mlContext, inputSchema, scoreColumn);
    }

    private static void CheckIdColumn(SchemaShape schema, string name, string role)
    {
        var column = schema.Find(name) ??
            throw new ArgumentOutOfRangeException(nameof(schema), $"{role} column '{name}' not found in the input schema.");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !DataViewInteractionReader.IsIdType(column.ItemType))
            throw new ArgumentOutOfRangeException(nameof(schema), $"{role} column '{name}' has type {column.ItemType}; expected a scalar key, integer, whole-number floating-point or text column.");
    }
}
