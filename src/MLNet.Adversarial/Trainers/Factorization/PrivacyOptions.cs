using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Trainers;

/// <summary>How the recommender is trained against the attribute adversary.</summary>
public enum PrivacyObjective
{
    /// <summary>
    /// Gradient reversal (Ganin &amp; Lempitsky, 2015): the recommender maximises the adversary's cross-entropy,
    /// loss − λ·CE. Its gradient never vanishes, so the recommender overshoots into embeddings that encode the
    /// attribute inverted; on MovieLens-100K it made post-hoc attackers stronger, not weaker.
    /// </summary>
    GradientReversal,

    /// <summary>
    /// Confusion: the recommender pushes the adversary's prediction towards the uniform distribution, loss + λ·CE(uniform, adversary),
    /// which is minimal when the (class-balanced) adversary learns nothing. Bounded, and its gradient vanishes once the
    /// attribute is hidden. Moves every user to the adversary's boundary, so it tends to over-shoot (held-out AUC below 0.5).
    /// </summary>
    Confusion,

    /// <summary>
    /// Parity: the recommender makes the adversary's mean output (its class log-probabilities) equal across the
    /// classes, λ·Σ_c ‖mean_{u∈c} log p(u) − mean_u log p(u)‖². It moves groups, not individual users, so it does not
    /// pile users up at the adversary's decision boundary (adversarial moment matching). The default: on MovieLens-100K
    /// it hid gender at the smallest cost in ranking quality (docs/privacy-results.md).
    /// </summary>
    Parity,
}

/// <summary>
/// Privacy-adversarial training (set <see cref="FactorizationTrainerOptions.Privacy"/>): an adversary network learns
/// to predict a sensitive user attribute from the user embeddings, and the recommender learns to rank well while
/// making it fail. The adversary lives only inside training: it never reaches the model, the checkpoint or the ONNX
/// exports, whose user table is the protected one.
/// </summary>
public sealed class PrivacyOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="PrivacyWeight"/>.</summary>
        public const double PrivacyWeight = 0.3;
        /// <summary>Default <see cref="AdversaryHiddenSize"/>.</summary>
        public const int AdversaryHiddenSize = 32;
        /// <summary>Default <see cref="AdversarySteps"/>.</summary>
        public const int AdversarySteps = 5;
        /// <summary>Default <see cref="AdversaryLearningRate"/>.</summary>
        public const double AdversaryLearningRate = 0.02;
    }

    /// <summary>The attribute to hide: raw user id → class. Users it lacks take no part in the adversarial game.</summary>
    [NotHyperParameter("data: its name is recorded as privacy_attribute")]
    public SensitiveAttributes? SensitiveAttributes { get; set; }

    /// <summary>
    /// Weight λ of the privacy term; 0 trains the adversary but does not act on it. Its scale depends on
    /// <see cref="DecoupledStep"/>: with it (the default) each user moves by λ·LearningRate times its own privacy-loss
    /// gradient (0.3–1 with <see cref="PrivacyObjective.Parity"/> and 10 with <see cref="PrivacyObjective.Confusion"/> suit
    /// MovieLens-100K); without it λ weights the batch-mean privacy loss inside the optimised loss.
    /// </summary>
    [HyperParameter("privacy_weight", "--privacy-weight", "Weight λ of the privacy-adversarial term (with --sensitive; 0: adversary trained but ignored).", Min = 0, SearchMin = 0.01, SearchMax = 30, SearchLogScale = true)]
    public double PrivacyWeight { get; set; } = Defaults.PrivacyWeight;

    /// <summary>How the adversary's loss enters the recommender's.</summary>
    [HyperParameter("privacy_objective", "--privacy-objective", "parity (equal mean adversary output across classes), confusion (push each prediction to uniform) or reversal (maximise the adversary's loss).", FlagValues = ["reversal", "confusion", "parity"], SearchChoices = true)]
    public PrivacyObjective Objective { get; set; } = PrivacyObjective.Parity;

    /// <summary>
    /// Hidden units of the adversary's one hidden layer (ReLU); 0 makes it a linear (logistic-regression) adversary.
    /// With the <see cref="DecoupledStep"/> a 32-unit adversary hides MovieLens-100K gender from both post-hoc attackers
    /// (docs/privacy-results.md); through Adam (<c>DecoupledStep = false</c>) an MLP adversary made the embeddings leak more.
    /// </summary>
    [HyperParameter("adversary_hidden_size", "--adversary-hidden", "Hidden units of the adversary (0: linear).", Min = 0, Max = 65536, ValueName = "N", SearchMin = 0, SearchMax = 128)]
    public int AdversaryHiddenSize { get; set; } = Defaults.AdversaryHiddenSize;

    /// <summary>Adam steps of the adversary on the batch's user rows before each recommender step.</summary>
    [HyperParameter("adversary_steps", "--adversary-steps", "Adversary Adam steps per recommender step.", Min = 1, Max = 1000, ValueName = "N", SearchMin = 1, SearchMax = 10)]
    public int AdversarySteps { get; set; } = Defaults.AdversarySteps;

    /// <summary>
    /// Whether the adversary learns, at every step, from all labelled users' current rows (a near best response; costs
    /// a pass over the labelled users per step, fine up to ~10^5 users) instead of only the batch's users.
    /// </summary>
    [HyperParameter("adversary_on_all_users", "--adversary-all-users", "Train the adversary on every labelled user at each step, not only the batch's users.", SearchChoices = true)]
    public bool AdversaryOnAllUsers { get; set; }

    /// <summary>Adam learning rate of the adversary.</summary>
    [HyperParameter("adversary_learning_rate", "--adversary-lr", "Adversary learning rate.", Min = 0, MinExclusive = true, SearchMin = 1e-3, SearchMax = 0.1, SearchLogScale = true)]
    public double AdversaryLearningRate { get; set; } = Defaults.AdversaryLearningRate;

    /// <summary>
    /// Whether the privacy term moves the users by a plain gradient step, p_u ← p_u − λ·η·∇_{p_u}(n·L) (η the
    /// recommender's learning rate, L the privacy loss of the batch's n labelled users — for confusion, n·L is the sum of
    /// the users' own losses) after the optimiser's ranking step, instead of entering the loss
    /// that Adam/Adagrad normalise per coordinate — which turns even tiny label-dependent gradients into full-size steps
    /// and made the embeddings leak more.
    /// </summary>
    [HyperParameter("privacy_decoupled_step", "--privacy-step", "decoupled (a plain gradient step λ·lr per user, outside Adam) or joint (λ·loss inside the optimised loss).", FlagValues = ["joint", "decoupled"], SearchChoices = true)]
    public bool DecoupledStep { get; set; } = true;

    /// <summary>Epochs before the privacy term acts on the recommender (the adversary trains from the first epoch).</summary>
    [HyperParameter("privacy_start_epoch", "--privacy-start", "Epochs before the privacy term acts.", Min = 0, ValueName = "N")]
    public int StartEpoch { get; set; }

    /// <summary>Checks every option and throws an <see cref="ArgumentOutOfRangeException"/> naming the bad one (the ranges are declared on the options).</summary>
    public void Validate()
    {
        if (SensitiveAttributes is null) throw new ArgumentOutOfRangeException(nameof(SensitiveAttributes), $"Option {nameof(SensitiveAttributes)} must be set for privacy-adversarial training.");
        HyperParameterSet.For<PrivacyOptions>().Validate(this);
    }
}
