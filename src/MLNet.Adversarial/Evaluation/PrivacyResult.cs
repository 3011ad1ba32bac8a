namespace MLNet.Adversarial.Evaluation;

/// <summary>One post-hoc attacker's cross-validated success at predicting the sensitive attribute.</summary>
/// <param name="Attacker">"logistic-regression" or "mlp".</param>
/// <param name="RocAuc">Binary attributes: the mean over folds of the held-out ROC-AUC of the class-1 probability (0.5 is chance); null for multi-class attributes.</param>
/// <param name="BalancedAccuracy">The mean over folds of the held-out balanced accuracy (mean per-class recall; 1/classes is chance).</param>
/// <param name="Accuracy">The mean over folds of the held-out accuracy (compare with the majority share).</param>
public sealed record AttackerResult(string Attacker, double? RocAuc, double BalancedAccuracy, double Accuracy);

/// <summary>What the privacy evaluator found for one set of user embeddings.</summary>
/// <param name="Attribute">The attribute's name (file and column).</param>
/// <param name="ClassNames">The classes, in class-index order.</param>
/// <param name="ClassCounts">Users with embeddings per class.</param>
/// <param name="Folds">Number of cross-validation folds.</param>
/// <param name="Attackers">One result per attacker: logistic regression, then the MLP.</param>
public sealed record PrivacyResult(string Attribute, IReadOnlyList<string> ClassNames, IReadOnlyList<int> ClassCounts, int Folds, IReadOnlyList<AttackerResult> Attackers)
{
    /// <summary>Users evaluated (those with both an embedding and a class).</summary>
    public int UserCount => ClassCounts.Sum();

    /// <summary>Whether the attribute has two classes (so <see cref="AttackerResult.RocAuc"/> is reported).</summary>
    public bool IsBinary => ClassNames.Count == 2;

    /// <summary>The share of the largest class: the accuracy of always guessing it.</summary>
    public double MajorityShare => UserCount == 0 ? 0 : (double)ClassCounts.Max() / UserCount;

    /// <summary>The attacker called <paramref name="name"/>.</summary>
    public AttackerResult this[string name] => Attackers.Single(a => a.Attacker == name);

    /// <summary>The strongest attacker's figure: the largest ROC-AUC (binary) or balanced accuracy (multi-class).</summary>
    public double WorstCase => IsBinary ? Attackers.Max(a => a.RocAuc ?? 0) : Attackers.Max(a => a.BalancedAccuracy);
}
