//! `60 %` in `warn` and `fail` conditions: a number written with a percent sign is a fraction
//! (`value < 60 %` is `value < 0.60`), so that a condition can read like the report does.
//!
//! `%` is also the modulo operator, so the sign is a percent only where modulo could not be: a
//! number literal, then `%`, then the end, `)`, `,`, `AND`, `OR`, `THEN`, `ELSE`, `END` or a
//! comparison. A modulo always has a right operand there instead, so `value % 2 = 0` keeps its
//! meaning. Formulas and filters do not read percents: this is applied to conditions alone.

use super::ast::Pos;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// The tokens with each percent folded into its number (`60` `%` → `60e-2`: exact, as the
/// decimal is shifted in the text rather than divided), and where each folded number starts.
/// Every token keeps its span, so messages point at the condition as written.
pub(super) fn fold(tokens: Vec<TokenWithSpan>) -> (Vec<TokenWithSpan>, Vec<Pos>) {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut folded = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.token == Token::Mod && ends_operand(next_solid(&tokens[i + 1..])) {
            let before = out.iter().rposition(|t| !is_blank(&t.token));
            if let Some(pos) = before.and_then(|at| to_fraction(&mut out[at])) {
                folded.push(pos);
                continue;
            }
        }
        out.push(token.clone());
    }
    (out, folded)
}

/// A number token divided by 100, and where it starts; None for any other token.
fn to_fraction(token: &mut TokenWithSpan) -> Option<Pos> {
    let Token::Number(text, long) = &token.token else {
        return None;
    };
    token.token = Token::Number(hundredth(text), *long);
    Some(Pos {
        line: token.span.start.line,
        column: token.span.start.column,
    })
}

fn is_blank(token: &Token) -> bool {
    matches!(token, Token::Whitespace(_))
}

fn next_solid(tokens: &[TokenWithSpan]) -> Option<&Token> {
    tokens.iter().map(|t| &t.token).find(|t| !is_blank(t))
}

/// Whether the token can follow a complete operand but never begins one: after `60 %`, it
/// leaves modulo without its right operand.
fn ends_operand(token: Option<&Token>) -> bool {
    match token {
        None | Some(Token::EOF | Token::RParen | Token::Comma) => true,
        Some(Token::Eq | Token::DoubleEq | Token::Neq | Token::Lt | Token::Gt) => true,
        Some(Token::LtEq | Token::GtEq) => true,
        Some(Token::Word(w)) => matches!(
            w.keyword,
            Keyword::AND | Keyword::OR | Keyword::THEN | Keyword::ELSE | Keyword::END
        ),
        _ => false,
    }
}

/// The number's text divided by 100: `60` → `60e-2`, `1.5e3` → `1.5e1`.
fn hundredth(text: &str) -> String {
    match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => match exponent.parse::<i32>() {
            Ok(e) => format!("{mantissa}e{}", e.saturating_sub(2)),
            // Not a number we read anyway: the literal's own check reports it.
            Err(_) => text.to_string(),
        },
        None => format!("{text}e-2"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::{BinOp, ExprKind};
    use super::super::{parse, parse_condition, Pos};
    use super::hundredth;

    #[test]
    fn an_extreme_exponent_does_not_overflow() {
        assert_eq!(hundredth("1e-2147483648"), "1e-2147483648");
        assert_eq!(hundredth("1e5"), "1e3");
    }

    /// The condition with percents and its spelling with fractions read alike.
    fn same(with_sign: &str, fraction: &str) {
        let (expr, _) = parse_condition(with_sign).expect(with_sign);
        assert_eq!(expr, parse(fraction).expect(fraction), "{with_sign}");
    }

    #[test]
    fn a_number_with_a_percent_sign_is_a_fraction() {
        // Spelled to the same width, so that positions match too.
        same("value < 60 %", "value < 0.60");
        same("value < 60%", "value < 0.6");
        same("60 % > previous", "0.60 > previous");
        same(
            "value < 12.5 % OR delta < -5 %",
            "value < 0.125  OR delta < -.05",
        );
        same(
            "(value < 60 %) AND target >= 1e2 %",
            "(value < 0.60) AND target >= 1.000",
        );
        same("value BETWEEN 50 % AND 60%", "value BETWEEN 0.50 AND 0.6");
        same("value IN (50 %, 60 %)", "value IN (0.50, 0.60)");
        same(
            "CASE WHEN value < 1 % THEN true ELSE 2 % > 1 END",
            "CASE WHEN value < .01 THEN true ELSE .02 > 1 END",
        );
    }

    #[test]
    fn a_percent_sign_with_a_right_operand_stays_modulo() {
        for text in ["value % 2 = 0", "7 % 2 = 1", "value % 60 % < 1"] {
            let (expr, _) = parse_condition(text).expect(text);
            let ExprKind::Binary { left, .. } = &expr.kind else {
                panic!("{expr:?}")
            };
            assert!(
                matches!(left.kind, ExprKind::Binary { op: BinOp::Mod, .. }),
                "{text}: {left:?}"
            );
        }
        assert!(parse("value < 60 %").is_err(), "formulas read no percents");
    }

    #[test]
    fn folded_numbers_are_placed_and_positions_stay_as_written() {
        let (_, percents) = parse_condition("value < 60 % OR\n  value > 95%").unwrap();
        let at = |line, column| Pos { line, column };
        assert_eq!(percents, vec![at(1, 9), at(2, 11)]);
        let err = parse_condition("value < 60 % AND").unwrap_err();
        assert_eq!(err.pos, at(1, 17), "{err}");
    }

    #[test]
    fn a_hundredth_shifts_the_decimal_in_the_text() {
        for (text, shifted) in [("60", "60e-2"), ("12.5", "12.5e-2"), ("1.5e3", "1.5e1")] {
            assert_eq!(hundredth(text), shifted);
        }
        assert_eq!("33.3e-2".parse::<f64>(), "0.333".parse::<f64>());
    }
}
