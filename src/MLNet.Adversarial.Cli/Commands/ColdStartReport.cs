using System.Globalization;
using System.Text;
using MLNet.Adversarial.Evaluation;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>The cold-start runs summarised per model (mean and sample standard deviation over the seeds), as JSON and Markdown.</summary>
internal static class ColdStartReport
{
    /// <summary>Mean ± sd of one metric over the seeds.</summary>
    public sealed record Stat(double Mean, double Sd);

    /// <summary>One model's P, R, NDCG at each K, summarised over the seeds (null when the model does not rank that part).</summary>
    public sealed record Summary(int K, Stat Precision, Stat Recall, Stat Ndcg, Stat HitRate);

    public sealed record ModelSummary(string Model, IReadOnlyList<Summary>? Cold, IReadOnlyList<Summary> Warm, double? MeanSelectedEpoch, double? MeanSeconds);

    public sealed record RunDto(string Model, int Seed, Reports.MetricsDto? Cold, Reports.MetricsDto Warm, int SelectedEpoch, int Epochs, double Seconds);

    public sealed record Report(string Data, string ItemText, double ItemFraction, IReadOnlyList<int> Seeds, string ColdProtocol, string WarmProtocol,
        IReadOnlyList<ModelSummary> Models, IReadOnlyList<RunDto> Runs);

    public static Report Create(IReadOnlyList<ColdStartExperiment.Run> runs, IReadOnlyList<string> models, double fraction, IReadOnlyList<int> seeds, string data, string itemText)
    {
        var summaries = models.Select(name =>
        {
            var mine = runs.Where(r => r.Model == name).ToList();
            var trained = mine.Where(r => r.Epochs > 0).ToList();
            return new ModelSummary(name,
                mine.All(r => r.Cold is not null) ? Summarise(mine.Select(r => r.Cold!).ToList()) : null,
                Summarise(mine.Select(r => r.Warm).ToList()),
                trained.Count > 0 ? trained.Average(r => r.SelectedEpoch) : null,
                trained.Count > 0 ? trained.Average(r => r.Seconds) : null);
        }).ToArray();
        return new Report(data, itemText, fraction, seeds,
            "the held-out items ranked among themselves only, for every user with a positive on one of them (no training positive to exclude)",
            "the warm catalogue minus each user's training positives, against the held-out positives on warm items",
            summaries,
            runs.Select(r => new RunDto(r.Model, r.Seed, r.Cold is null ? null : Reports.ToDto(r.Cold), Reports.ToDto(r.Warm), r.SelectedEpoch, r.Epochs, r.Seconds)).ToArray());
    }

    private static Summary[] Summarise(List<RankingMetrics> metrics) => metrics[0].ByK.Select(m => m.K).Select(k => new Summary(k,
        Stats(metrics.Select(m => m.At(k).Precision)), Stats(metrics.Select(m => m.At(k).Recall)),
        Stats(metrics.Select(m => m.At(k).Ndcg)), Stats(metrics.Select(m => m.At(k).HitRate)))).ToArray();

    private static Stat Stats(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        return new Stat(mean, v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0);
    }

    /// <summary>Two tables, cold and warm: P@5, NDCG@5, NDCG@10, R@10 per model (mean ± sd).</summary>
    public static string Markdown(Report report)
    {
        static string F(Stat s) => string.Create(CultureInfo.InvariantCulture, $"{s.Mean:F4} ± {s.Sd:F4}");
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Mean ± sample standard deviation over {report.Seeds.Count} seed(s) ({string.Join(", ", report.Seeds)}); {report.ItemFraction * 100:0.#}% of the items held out; {report.Data}; item text {report.ItemText}."));
        sb.AppendLine();
        sb.AppendLine($"**Cold items** — {report.ColdProtocol}:");
        sb.AppendLine();
        Table(sb, report.Models.Where(m => m.Cold is not null).Select(m => (m.Model, m.Cold!)), F);
        sb.AppendLine();
        sb.AppendLine($"**Warm items** — {report.WarmProtocol}:");
        sb.AppendLine();
        Table(sb, report.Models.Select(m => (m.Model, m.Warm)), F);
        return sb.ToString();
    }

    /// <summary>One row per model and seed: cold and warm P@5 and NDCG@10, the selected epoch and the training time.</summary>
    public static string PerSeedMarkdown(Report report)
    {
        static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.AppendLine("Per seed:");
        sb.AppendLine();
        sb.AppendLine("| model | seed | cold P@5 | cold NDCG@10 | warm P@5 | warm NDCG@10 | selected epoch / run | train time (s) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in report.Runs)
        {
            string cold = r.Cold is null ? "– | –" : $"{F(r.Cold.ByK.First(m => m.K == 5).Precision)} | {F(r.Cold.ByK.First(m => m.K == 10).Ndcg)}";
            string training = r.Epochs > 0 ? string.Create(CultureInfo.InvariantCulture, $"{r.SelectedEpoch} / {r.Epochs} | {r.Seconds:F0}") : "– | –";
            sb.AppendLine($"| {r.Model} | {r.Seed} | {cold} | {F(r.Warm.ByK.First(m => m.K == 5).Precision)} | {F(r.Warm.ByK.First(m => m.K == 10).Ndcg)} | {training} |");
        }
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, IEnumerable<(string Model, IReadOnlyList<Summary> Metrics)> rows, Func<Stat, string> f)
    {
        sb.AppendLine("| model | P@5 | NDCG@5 | NDCG@10 | R@10 |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (model, metrics) in rows)
        {
            Summary At(int k) => metrics.First(m => m.K == k);
            sb.AppendLine($"| {model} | {f(At(5).Precision)} | {f(At(5).Ndcg)} | {f(At(10).Ndcg)} | {f(At(10).Recall)} |");
        }
    }
}
