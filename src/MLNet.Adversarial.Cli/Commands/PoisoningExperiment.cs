using System.Diagnostics;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Robustness;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// The protocol of a poisoning measurement, shared by <c>mlnet-adv attack poison</c> and the research tables: train
/// with the given options (through the trainers' one Fit path, so a <c>Defense</c> applies) on the clean rows and on
/// the poisoned rows, and rank both models on the clean split: the targets among the real users (the users of the
/// clean training rows), the accuracy on the real users' test rows.
/// </summary>
internal sealed class PoisoningExperiment
{
    /// <summary>K of the target hit rate and NDCG, and of the reported test NDCG.</summary>
    public const int K = 10;

    private readonly InteractionTable _train;
    private readonly float? _minRating;
    private readonly TrainTestSplit _split;
    private readonly RankingEvaluator _ranking = new(new RankingEvaluator.Options { Ks = [K] });

    /// <summary>The clean training and test rows; positives are rows rated at or above <paramref name="minRating"/>.</summary>
    public PoisoningExperiment(InteractionTable train, InteractionTable test, float? minRating)
    {
        _train = train;
        _minRating = minRating;
        _split = TrainTestSplit.FromTables(train, test, minRating);
    }

    /// <summary>The clean training rows.</summary>
    public InteractionTable CleanTrain => _train;

    /// <summary>One trained model ranked on the clean split.</summary>
    /// <param name="Targets">The targets among the real users.</param>
    /// <param name="Accuracy">The model on the real users' test rows.</param>
    /// <param name="Suspected">Users the defence dropped (0 without one).</param>
    /// <param name="Seconds">Training time.</param>
    public sealed record Measurement(TargetItemMetrics Targets, RankingMetrics Accuracy, int Suspected, double Seconds);

    /// <summary>The target item indices of the evaluation catalogue for the ids <paramref name="targetIds"/>.</summary>
    public int[] TargetIndices(IReadOnlyList<string> targetIds) =>
        targetIds.Select(id => Enumerable.Range(0, _split.Train.Items.Count).First(i => _split.Train.Items.GetIdText(i) == id)).ToArray();

    /// <summary>Trains a copy of <paramref name="options"/> on <paramref name="rows"/> (the clean rows or a poisoned table) and ranks it.</summary>
    public Measurement Measure(RecommenderTrainerOptions options, InteractionTable rows, IReadOnlyList<string> targetIds, int seed)
    {
        var o = HyperParameterSet.Clone(options);
        o.Seed = seed;
        o.MinRating = _minRating;
        o.RatingColumnName = rows.Ratings is null ? null : InteractionDataView.Columns.Rating;
        o.Progress = null;
        var mlContext = new MLContext(seed);
        // What Fit's data stage drops (the same deterministic detector), for the report.
        PoisoningDefenses.Apply(rows, _minRating, o.Defense, out var detection);
        int suspected = detection?.SuspectedCount ?? 0;
        var clock = Stopwatch.StartNew();
        using var transformer = mlContext.Adversarial().Trainers.For(o).Fit(new InteractionDataView(rows));
        double seconds = clock.Elapsed.TotalSeconds;
        var scorer = new RecommenderModelScorer(transformer.Model, _split.Train.Users, _split.Train.Items);
        var targets = TargetItemEvaluator.Evaluate(scorer, _split.Train, TargetIndices(targetIds), K);
        var accuracy = _ranking.Evaluate(scorer, _split.Train, _split.Test);
        return new Measurement(targets, accuracy, suspected, seconds);
    }

    /// <summary>The clean and poisoned models of <paramref name="options"/> as one result.</summary>
    public static PoisoningResult Result(Measurement clean, Measurement attacked) =>
        new(clean.Targets, attacked.Targets, clean.Accuracy, attacked.Accuracy);
}
