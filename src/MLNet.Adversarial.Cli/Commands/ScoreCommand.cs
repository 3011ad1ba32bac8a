using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// <c>score</c>: loads a saved ML.NET model (<c>model.zip</c>) with <c>mlContext.Model.Load</c> — the way an
/// application would — and scores the (user, item) pairs of a file through it.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model.zip, or a folder written by 'train'.", Required = true, HelpName = "ZIP|DIR" };
        var input = CliSupport.File("--input", "Pairs to score: 'user item' per line (extra columns are ignored only if they are a rating/timestamp).", required: true);
        var command = new Command("score", "Score (user, item) pairs with a saved model.zip through ML.NET; prints 'user item score' lines.") { model, input };
        command.SetHandler(c =>
        {
            var path = c.Get(model);
            if (Directory.Exists(path)) path = new ModelDirectory(path).ModelZip;
            if (!File.Exists(path)) throw new CliException($"Model file '{path}' does not exist.");

            var ml = new MLContext();
            ml.Adversarial(); // registers the score mapping that saved recommenders use
            ITransformer loaded;
            DataViewSchema schema;
            try
            {
                loaded = ml.Model.Load(path, out schema);
            }
            catch (Exception e) when (e is not CliException)
            {
                throw new CliException($"'{path}' could not be loaded as an ML.NET model: {e.Message.Split('\n')[0]}");
            }

            var pairs = InteractionFileReader.Read(c.Get(input)!, new InteractionFileReader.Options());
            var table = new InteractionTable(AsSchemaType(pairs.Users, schema, InteractionDataView.Columns.User),
                AsSchemaType(pairs.Items, schema, InteractionDataView.Columns.Item), null, pairs.Source);
            var scores = loaded.Transform(new InteractionDataView(table)).GetColumn<float>("Score").ToArray();
            for (int r = 0; r < scores.Length; r++)
                c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Id(table.Users, r)}\t{Id(table.Items, r)}\t{scores[r]:R}"));
            return 0;
        });
        return command;
    }

    /// <summary>The ids as the saved model's input column wants them (text ids stay text; numeric text becomes Int64).</summary>
    private static IdColumn AsSchemaType(IdColumn ids, DataViewSchema schema, string column)
    {
        var type = schema.GetColumnOrNull(column)?.Type
            ?? throw new CliException($"The model's input has no '{column}' column; 'score' works with models trained by 'mlnet-adv train'.");
        if (type is TextDataViewType) return ids.AsStrings();
        if (ids.Kind == IdKind.String) throw new CliException($"The model expects integer ids in '{column}', but the input has text ids.");
        return ids;
    }

    private static string Id(IdColumn ids, int row) => ids.Kind == IdKind.Int64
        ? ids.Int64Values[row].ToString(CultureInfo.InvariantCulture)
        : ids.StringValues[row];
}
