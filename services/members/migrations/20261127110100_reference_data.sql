-- migrate:up
-- Reference data: Heilongjiang's prefecture-level divisions and Jixi's county-level ones
-- (other counties are added by each city's onboarding import), and the national sectors
-- with the festivals that open the must-visit occasion 八必访 no. 8.
INSERT INTO region (code, name, level, parent_code) VALUES
    ('230000', '黑龙江省', 'province', NULL),
    ('230100', '哈尔滨市', 'city', '230000'),
    ('230200', '齐齐哈尔市', 'city', '230000'),
    ('230300', '鸡西市', 'city', '230000'),
    ('230400', '鹤岗市', 'city', '230000'),
    ('230500', '双鸭山市', 'city', '230000'),
    ('230600', '大庆市', 'city', '230000'),
    ('230700', '伊春市', 'city', '230000'),
    ('230800', '佳木斯市', 'city', '230000'),
    ('230900', '七台河市', 'city', '230000'),
    ('231000', '牡丹江市', 'city', '230000'),
    ('231100', '黑河市', 'city', '230000'),
    ('231200', '绥化市', 'city', '230000'),
    ('232700', '大兴安岭地区', 'city', '230000'),
    ('230302', '鸡冠区', 'county', '230300'),
    ('230303', '恒山区', 'county', '230300'),
    ('230304', '滴道区', 'county', '230300'),
    ('230305', '梨树区', 'county', '230300'),
    ('230306', '城子河区', 'county', '230300'),
    ('230307', '麻山区', 'county', '230300'),
    ('230321', '鸡东县', 'county', '230300'),
    ('230381', '虎林市', 'county', '230300'),
    ('230382', '密山市', 'county', '230300');
INSERT INTO sector (code, name) VALUES
    ('cpc', '中国共产党'),
    ('rcck', '中国国民党革命委员会'),
    ('cdl', '中国民主同盟'),
    ('cndca', '中国民主建国会'),
    ('capd', '中国民主促进会'),
    ('pwdp', '中国农工民主党'),
    ('zhigong', '中国致公党'),
    ('jiusan', '九三学社'),
    ('tdsl', '台湾民主自治同盟'),
    ('non_party', '无党派人士'),
    ('youth', '中国共产主义青年团和中华全国青年联合会'),
    ('trade_union', '中华全国总工会'),
    ('women', '中华全国妇女联合会'),
    ('industry_commerce', '中华全国工商业联合会'),
    ('science_association', '中国科学技术协会'),
    ('taiwan_compatriots', '中华全国台湾同胞联谊会'),
    ('overseas_chinese', '中华全国归国华侨联合会'),
    ('culture_arts', '文化艺术界'),
    ('science_tech', '科学技术界'),
    ('social_sciences', '社会科学界'),
    ('economy', '经济界'),
    ('agriculture', '农业界'),
    ('education', '教育界'),
    ('sports', '体育界'),
    ('press_publishing', '新闻出版界'),
    ('medicine_health', '医药卫生界'),
    ('foreign_friendship', '对外友好界'),
    ('social_welfare', '社会福利和社会保障界'),
    ('ethnic_minorities', '少数民族界'),
    ('religion', '宗教界'),
    ('hong_kong', '特邀香港人士'),
    ('macao', '特邀澳门人士'),
    ('special_invitees', '特别邀请人士'),
    ('environment_resources', '环境资源界');
INSERT INTO sector_festival (sector_code, name, month, day) VALUES
    ('education', '教师节', 9, 10),
    ('medicine_health', '国际护士节', 5, 12),
    ('medicine_health', '中国医师节', 8, 19),
    ('press_publishing', '中国记者节', 11, 8),
    ('women', '国际妇女节', 3, 8),
    ('youth', '五四青年节', 5, 4),
    ('trade_union', '国际劳动节', 5, 1),
    ('agriculture', '中国农民丰收节', 9, 23),
    ('science_tech', '全国科技工作者日', 5, 30),
    ('science_association', '全国科技工作者日', 5, 30),
    ('sports', '全民健身日', 8, 8),
    ('social_welfare', '全国助残日', 5, 18);
INSERT INTO committee (code, name, level, region_code) VALUES
    ('cppcc-230000', '政协黑龙江省委员会', 'province', '230000');

-- migrate:down
DELETE FROM committee WHERE code = 'cppcc-230000';
DELETE FROM sector_festival;
DELETE FROM sector;
DELETE FROM region WHERE level IN ('county');
DELETE FROM region WHERE level = 'city';
DELETE FROM region WHERE level = 'province';
