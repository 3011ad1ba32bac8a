using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Tuning;

/// <summary>What a tuning search found: every trial, the winner, and the winner refit on all the data.</summary>
/// <param name="Trials">Every trial, in the order of the search (resumed ones included).</param>
/// <param name="Best">The trial with the highest validation NDCG@10.</param>
/// <param name="BestOptions">The winner's trainer options (its budget as its epochs).</param>
/// <param name="Model">The winner refit on all the rows (selection on the validation split, then a refit replaying the selected schedule).</param>
/// <param name="StopReason">Why the search ended: "trials" (MaxTrials), "time" (TimeBudget) or "cancelled".</param>
/// <param name="SearchSeconds">Wall-clock seconds of this run's search, without the refit.</param>
public sealed record TuningResult(IReadOnlyList<TuningTrial> Trials, TuningTrial Best, RecommenderTrainerOptions BestOptions, RecommenderTransformer Model,
    string StopReason, double SearchSeconds)
{
    /// <summary>The defaults trials (one per trainer searched, when <see cref="TuningOptions.IncludeDefaults"/>).</summary>
    public IEnumerable<TuningTrial> DefaultsTrials => Trials.Where(t => t.IsDefaults);

    /// <summary>Epochs trained over every trial (the search's cost in the unit of its budgets).</summary>
    public long EpochsTrained => Trials.Sum(t => (long)t.EpochsRun);
}
