"""Personal-data declarations of supervision (P4). Findings name units, officers (as staff
accounts) and alert numbers, never a citizen; the patrol's evidence on repeat reporters keeps blind
indexes, not values."""

from shoulian.privacy.registry import not_personal

not_personal("supervision.PatrolRule", "name", reason="巡查规则的名称（如：节点超期）")
