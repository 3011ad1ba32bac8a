using Microsoft.ML;

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

    /// <summary>A row type with no columns: the input of the shape-only mapping below.</summary>
    public sealed class NoColumns;

    public static SchemaShape Append(MLContext mlContext, SchemaShape input, string scoreColumn)
    {
        var withScalar = mlContext.Transforms
            .CustomMapping<NoColumns, OnnxScoreColumnMapping.Output>((_, _) => { }, contractName: null)
            .GetOutputSchema(input);
        var named = mlContext.Transforms.CopyColumns(scoreColumn, OnnxScoreColumnMapping.OutputColumn).GetOutputSchema(withScalar);
        return new SchemaShape(input.Where(c => c.Name != scoreColumn).Append(named.Find(scoreColumn)!.Value));
    }
}
