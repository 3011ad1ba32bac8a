namespace MLNet.Adversarial.Trainers;

/// <summary>
/// How <see cref="AprTrainer.Update(Models.FactorizationModel, Data.InteractionData, Data.InteractionData, UpdateOptions, Action{string})"/>
/// adds new interactions to a trained BPR or APR model: the unseen users and items are folded in (<see cref="FoldIn"/>),
/// then training continues from those weights for <see cref="Epochs"/> epochs on the new positives mixed with a
/// sample of the old ones (whole users, so a user's unsampled positives are never drawn as its negatives).
/// </summary>
public sealed record UpdateOptions
{
    /// <summary>Default values (chosen on a validation split of MovieLens-100K u1.base, not on its test file: docs/updates.md).</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="Epochs"/>.</summary>
        public const int Epochs = 10;
        /// <summary>Default <see cref="OldPositivesPerNew"/>.</summary>
        public const double OldPositivesPerNew = 4;
        /// <summary>Default <see cref="FoldInSteps"/>: fewer than a fold-in on its own (<see cref="FoldInOptions.Defaults.Steps"/>), since training goes on from there.</summary>
        public const int FoldInSteps = 50;
    }

    /// <summary>Epochs of training after the fold-in (0: fold-in only, the old rows keep their weights).</summary>
    public int Epochs { get; init; } = Defaults.Epochs;

    /// <summary>
    /// Old positives trained alongside each new one: the users with new positives bring all their old ones, then
    /// randomly drawn other users are added, whole, until the old positives reach this multiple of the new.
    /// </summary>
    public double OldPositivesPerNew { get; init; } = Defaults.OldPositivesPerNew;

    /// <summary>Adam steps of the fold-in when <see cref="FoldIn"/> is null.</summary>
    public int FoldInSteps { get; init; } = Defaults.FoldInSteps;

    /// <summary>How the new users and items are solved before training; null: the trained model's objective (<see cref="FoldInOptions.For"/>) with <see cref="FoldInSteps"/> steps.</summary>
    public FoldInOptions? FoldIn { get; init; }

    /// <summary>The seed of the old-user sample and of the training epochs; null: the model's training seed.</summary>
    public int? Seed { get; init; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Epochs < 0 || Epochs > 100_000) throw new ArgumentOutOfRangeException(nameof(Epochs), "Epochs must be between 0 and 100000.");
        if (!(OldPositivesPerNew >= 0) || double.IsInfinity(OldPositivesPerNew))
            throw new ArgumentOutOfRangeException(nameof(OldPositivesPerNew), "OldPositivesPerNew must be finite and at least 0.");
        if (FoldInSteps < 1 || FoldInSteps > 100_000) throw new ArgumentOutOfRangeException(nameof(FoldInSteps), "FoldInSteps must be between 1 and 100000.");
        FoldIn?.Validate();
    }
}
