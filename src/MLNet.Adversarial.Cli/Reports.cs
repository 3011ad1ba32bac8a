using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Adversarial.Evaluation;

namespace MLNet.Adversarial.Cli;

/// <summary>Console tables and the JSON files the commands write.</summary>
internal static class Reports
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>One row per K and model: P, R, NDCG, MRR, HR.</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<(string Name, RankingMetrics Metrics)> models)
    {
        int nameWidth = Math.Max(7, models.Max(m => m.Name.Length));
        output.WriteLine($"{"K",4}  {"model".PadRight(nameWidth)}  {"P",8}  {"R",8}  {"NDCG",8}  {"MRR",8}  {"HR",8}");
        foreach (var k in models[0].Metrics.ByK.Select(m => m.K))
            foreach (var (name, metrics) in models)
            {
                var m = metrics.At(k);
                output.WriteLine($"{k,4}  {name.PadRight(nameWidth)}  {F(m.Precision),8}  {F(m.Recall),8}  {F(m.Ndcg),8}  {F(m.Mrr),8}  {F(m.HitRate),8}");
            }
    }

    public static MetricsDto ToDto(RankingMetrics metrics) => new(metrics.UserCount, metrics.ByK);

    public static void WriteJson<T>(string path, T value) =>
        Data.AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(value, Json));

    private static string F(double value) => CliSupport.Format(value);

    /// <summary>The mean and the sample standard deviation (0 for a single value).</summary>
    public static (double Mean, double Std) Stats(IEnumerable<double> values)
    {
        var a = values.ToArray();
        double mean = a.Average();
        double std = a.Length > 1 ? Math.Sqrt(a.Sum(v => (v - mean) * (v - mean)) / (a.Length - 1)) : 0;
        return (mean, std);
    }

    /// <summary>"mean ± std" to 4 decimals, as the results tables print it; a single value alone.</summary>
    public static string MeanStd(IEnumerable<double> values)
    {
        var list = values as IReadOnlyCollection<double> ?? values.ToList();
        var (m, s) = Stats(list);
        return list.Count == 1 ? F(m) : $"{F(m)} ± {F(s)}"; // one value has no spread to report
    }

    /// <summary>Ranking metrics as written to JSON.</summary>
    public sealed record MetricsDto(int Users, IReadOnlyList<RankingMetricsAtK> ByK);
}
